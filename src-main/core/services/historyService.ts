import { ApiError } from '../api/apiError.ts';
import type { HistoryChange, HistoryService, HistoryStatus } from '../api/contract.ts';
import type { AppliedStep } from '../store/editHistory.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';

/** Undo and redo over the steps the other services record in the project's edit history (one transaction each). */
export class ProjectHistoryService implements HistoryService {
  constructor(private readonly library: ProjectLibrary) {}

  async status(args: { projectId: string; clipId: string }): Promise<HistoryStatus> {
    return statusOf(this.storeOf(args.projectId, args.clipId), args.clipId);
  }

  async undo(args: { projectId: string; clipId: string }): Promise<HistoryChange> {
    const store = this.storeOf(args.projectId, args.clipId);
    const applied = store.history.undo(args.clipId);
    if (!applied) throw new ApiError('NOTHING_TO_UNDO', 'Nothing to undo on this clip.');
    return changeOf(applied, statusOf(store, args.clipId));
  }

  async redo(args: { projectId: string; clipId: string }): Promise<HistoryChange> {
    const store = this.storeOf(args.projectId, args.clipId);
    const applied = store.history.redo(args.clipId);
    if (!applied) throw new ApiError('NOTHING_TO_REDO', 'Nothing to redo on this clip.');
    return changeOf(applied, statusOf(store, args.clipId));
  }

  private storeOf(projectId: string, clipId: string): ProjectStore {
    const store = this.library.open(projectId);
    if (!store.getClip(clipId)) throw new ApiError('NOT_FOUND', `This project has no clip ${clipId}.`);
    return store;
  }
}

function statusOf(store: ProjectStore, clipId: string): HistoryStatus {
  const { undo, redo, busy } = store.history.status(clipId);
  return {
    canUndo: undo !== undefined && undo.state === 'done' && !busy,
    canRedo: redo !== undefined && !busy,
    ...(undo ? { undoLabel: undo.label } : {}),
    ...(redo ? { redoLabel: redo.label } : {}),
    busy,
  };
}

function changeOf(applied: AppliedStep, status: HistoryStatus): HistoryChange {
  return { label: applied.step.label, objectIds: applied.objectIds, frames: applied.frames, objectsChanged: applied.objectsChanged, labelSetsChanged: applied.labelSetsChanged, status };
}
