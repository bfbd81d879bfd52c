import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HistoryChange, HistoryStatus } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { useAnnotationsStore } from './annotations.ts';
import { useObjectsStore } from './objects.ts';

/**
 * Undo and redo of the open clip (the engine keeps the history in the project file). An undo waits for the edits
 * still being saved, so it always reverts the edit the annotator made last, then refreshes exactly what changed:
 * the object list when objects changed, the timeline, and the frame on screen when it lies in the changed range.
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
      const loaded = await api.history.status({ projectId: projectId.value, clipId: clipId.value });
      if (request !== statusRequest) return;
      status.value = loaded;
      if (loaded.busy) busyTimer = setTimeout(() => void refresh(), busyPollMs);
    } catch (error) {
      if (request === statusRequest) actionError.value = errorMessage(error);
    }
  }

  async function apply(direction: 'undo' | 'redo'): Promise<HistoryChange | undefined> {
    if (applying.value || !projectId.value || !clipId.value) return undefined;
    const annotations = useAnnotationsStore();
    // An edit still saving is a step the status does not show yet: undo waits for it rather than refusing.
    const possible = direction === 'undo' ? status.value?.canUndo || annotations.pendingSaves > 0 : status.value?.canRedo;
    if (!possible) return undefined;
    const objects = useObjectsStore();
    const ids = { projectId: projectId.value, clipId: clipId.value };
    applying.value = true;
    statusRequest += 1;
    try {
      await annotations.whenSaved();
      const change = await api.history[direction](ids);
      if (ids.clipId !== clipId.value) return undefined;
      status.value = change.status;
      lastChange.value = change;
      actionError.value = undefined;
      if (change.objectsChanged) await objects.reload();
      annotations.onHistoryApplied(change.frames);
      return change;
    } catch (error) {
      if (ids.clipId === clipId.value) {
        actionError.value = `Could not ${direction}: ${errorMessage(error)}`;
        void refresh();
      }
      return undefined;
    } finally {
      applying.value = false;
    }
  }

  const undo = () => apply('undo');
  const redo = () => apply('redo');

  return { projectId, clipId, status, applying, actionError, lastChange, canUndo, canRedo, open, close, refresh, undo, redo };
});
