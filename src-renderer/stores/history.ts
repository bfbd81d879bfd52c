import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HistoryChange, HistoryStatus } from '../../src-main/core/api/contract.ts';
import { ApiClientError, errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { editSessionId } from '../utils/editSession.ts';
import { useAnnotationsStore } from './annotations.ts';
import { useObjectsStore } from './objects.ts';
import { useVocabulariesStore } from './vocabularies.ts';

/** Undo or Redo would revert a step another window made: the engine's question, until the annotator answers it. */
export interface OtherSessionQuestion {
  direction: 'undo' | 'redo';
  message: string;
}

/**
 * Undo and redo of the open clip (the engine keeps the history in the project file). An undo waits for the edits
 * still being saved, so it always reverts the edit the annotator made last, then refreshes exactly what changed:
 * the object list when objects changed, the timeline, and the frame on screen when it lies in the changed range.
 * The history is shared by every window on the project: a step another window made is undone only once the
 * annotator confirms it (`otherSessionQuestion`).
 */
/** How often the status is asked again while a run of the clip writes. */
const busyPollMs = 1000;

export const useHistoryStore = defineStore('history', () => {
  const api = useApi();
  const projectId = ref<string>();
  const clipId = ref<string>();
  const status = shallowRef<HistoryStatus>();
  /** An undo or redo is on its way. */
  const applying = ref(false);
  const actionError = ref<string>();
  const lastChange = shallowRef<HistoryChange>();
  const otherSessionQuestion = shallowRef<OtherSessionQuestion>();
  let statusRequest = 0;
  let busyTimer: ReturnType<typeof setTimeout> | undefined;

  const canUndo = computed(() => !applying.value && status.value?.canUndo === true);
  const canRedo = computed(() => !applying.value && status.value?.canRedo === true);

  function open(newProjectId: string, newClipId: string): void {
    if (projectId.value === newProjectId && clipId.value === newClipId) return;
    close();
    projectId.value = newProjectId;
    clipId.value = newClipId;
    void refresh();
  }

  function close(): void {
    clearTimeout(busyTimer);
    statusRequest += 1;
    projectId.value = undefined;
    clipId.value = undefined;
    status.value = undefined;
    actionError.value = undefined;
    lastChange.value = undefined;
    otherSessionQuestion.value = undefined;
  }

  /**
   * Asks the engine what Undo and Redo would do now (after an edit, a run, or a reconnect). While a run writes
   * (busy), it asks again every second: the run may be another window's, or end without this page hearing of it.
   */
  async function refresh(): Promise<void> {
    clearTimeout(busyTimer);
    if (!projectId.value || !clipId.value) return;
    const request = ++statusRequest;
    try {
      const loaded = await api.history.status({ projectId: projectId.value, clipId: clipId.value, sessionId: editSessionId });
      if (request !== statusRequest) return;
      status.value = loaded;
      if (loaded.busy) busyTimer = setTimeout(() => void refresh(), busyPollMs);
    } catch (error) {
      if (request === statusRequest) actionError.value = errorMessage(error);
    }
  }

  async function apply(direction: 'undo' | 'redo', confirmOtherSession = false): Promise<HistoryChange | undefined> {
    if (applying.value || !projectId.value || !clipId.value) return undefined;
    const annotations = useAnnotationsStore();
    // An edit still saving is a step the status does not show yet: undo waits for it rather than refusing.
    const possible = direction === 'undo' ? status.value?.canUndo || annotations.pendingSaves > 0 : status.value?.canRedo;
    if (!possible) return undefined;
    const objects = useObjectsStore();
    const ids = { projectId: projectId.value, clipId: clipId.value };
    applying.value = true;
    otherSessionQuestion.value = undefined;
    statusRequest += 1;
    try {
      await annotations.whenSaved();
      const change = await api.history[direction]({ ...ids, sessionId: editSessionId, ...(confirmOtherSession ? { confirmOtherSession } : {}) });
      if (ids.clipId !== clipId.value) return undefined;
      status.value = change.status;
      lastChange.value = change;
      actionError.value = undefined;
      if (change.objectsChanged) await objects.reload();
      if (change.labelSetsChanged) {
        // A label set step may have rewritten labels of any frame (a removed joint or class): reload them all.
        await Promise.all([useVocabulariesStore().load(), objects.reload()]);
        annotations.onHistoryApplied({ first: 0, last: Number.MAX_SAFE_INTEGER });
      } else annotations.onHistoryApplied(change.frames);
      return change;
    } catch (error) {
      if (ids.clipId === clipId.value) {
        if (error instanceof ApiClientError && error.code === 'OTHER_SESSION') otherSessionQuestion.value = { direction, message: error.message };
        else actionError.value = `Could not ${direction}: ${errorMessage(error)}`;
        void refresh();
      }
      return undefined;
    } finally {
      applying.value = false;
    }
  }

  const undo = () => apply('undo');
  const redo = () => apply('redo');

  /** The annotator's answer to `otherSessionQuestion`: go ahead (resolves to an error message, if any) or leave it. */
  async function answerOtherSession(proceed: boolean): Promise<string | undefined> {
    const question = otherSessionQuestion.value;
    otherSessionQuestion.value = undefined;
    if (!question || !proceed) return undefined;
    await apply(question.direction, true);
    return actionError.value;
  }

  return {
    projectId, clipId, status, applying, actionError, lastChange, otherSessionQuestion, canUndo, canRedo,
    open, close, refresh, undo, redo, answerOtherSession,
  };
});
