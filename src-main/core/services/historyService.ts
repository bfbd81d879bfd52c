import { ApiError } from '../api/apiError.ts';
import type { EditSession, HistoryChange, HistoryService, HistoryStatus } from '../api/contract.ts';
import type { AppliedStep, HistoryStep } from '../store/editHistory.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';

type HistoryArgs = { projectId: string; clipId: string; confirmOtherSession?: boolean } & EditSession;

/**
 * Undo and redo over the steps the other services record in the project's edit history (one transaction each).
 * The history is one line per clip shared by every window on the project; a step another window (editing session)
 * made is reverted only when the caller confirms it, so one tab's Ctrl+Z never silently takes back another's edit.
 */
export class ProjectHistoryService implements HistoryService {
  constructor(private readonly library: ProjectLibrary) {}

  async status(args: { projectId: string; clipId: string } & EditSession): Promise<HistoryStatus> {
    return statusOf(this.storeOf(args.projectId, args.clipId), args.clipId, args.sessionId);
  }

  async undo(args: HistoryArgs): Promise<HistoryChange> {
    return this.apply(args, 'undo');
  }

  async redo(args: HistoryArgs): Promise<HistoryChange> {
    return this.apply(args, 'redo');
  }

  private apply(args: HistoryArgs, direction: 'undo' | 'redo'): HistoryChange {
    const store = this.storeOf(args.projectId, args.clipId);
    const applied = store.transaction(() => {
      const next = store.history.status(args.clipId)[direction];
      if (next && !args.confirmOtherSession && isOtherSession(next, args.sessionId)) {
        throw new ApiError(
          'OTHER_SESSION',
          `The last ${direction === 'undo' ? 'change' : 'undone change'} on this clip, "${next.label}", was made in another window. ${direction === 'undo' ? 'Undo' : 'Redo'} it anyway?`,
        );
      }
      return store.history[direction](args.clipId);
    });
    if (!applied) {
      throw direction === 'undo' ? new ApiError('NOTHING_TO_UNDO', 'Nothing to undo on this clip.') : new ApiError('NOTHING_TO_REDO', 'Nothing to redo on this clip.');
    }
    return changeOf(applied, statusOf(store, args.clipId, args.sessionId));
  }

  private storeOf(projectId: string, clipId: string): ProjectStore {
    const store = this.library.open(projectId);
    if (!store.getClip(clipId)) throw new ApiError('NOT_FOUND', `This project has no clip ${clipId}.`);
    return store;
  }
}

/** A step made in a known session other than the caller's (steps and callers without a session belong to anyone). */
function isOtherSession(step: HistoryStep, sessionId: string | undefined): boolean {
  return sessionId !== undefined && step.sessionId !== null && step.sessionId !== sessionId;
}

function statusOf(store: ProjectStore, clipId: string, sessionId: string | undefined): HistoryStatus {
  const { undo, redo, busy } = store.history.status(clipId);
  return {
    canUndo: undo !== undefined && undo.state === 'done' && !busy,
    canRedo: redo !== undefined && !busy,
    ...(undo ? { undoLabel: undo.label } : {}),
    ...(redo ? { redoLabel: redo.label } : {}),
    ...(undo && isOtherSession(undo, sessionId) ? { undoByOtherSession: true } : {}),
    ...(redo && isOtherSession(redo, sessionId) ? { redoByOtherSession: true } : {}),
    busy,
  };
}

function changeOf(applied: AppliedStep, status: HistoryStatus): HistoryChange {
  return { label: applied.step.label, objectIds: applied.objectIds, frames: applied.frames, objectsChanged: applied.objectsChanged, labelSetsChanged: applied.labelSetsChanged, status };
}
