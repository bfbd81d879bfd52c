import { ApiError } from '../api/apiError.ts';
import type {
  AnnotationsService, ClipTimeline, EditSession, FrameAnnotations, IslandRemovalSummary, KeypointValue, MaskEditTool, ObjectAnnotation,
  SavedAnnotation,
} from '../api/contract.ts';
import { removeSmallIslands } from '../engine/maskIslands.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { ClipRecord, ObjectRecord } from '../store/types.ts';
import { plainBytes } from './plainBytes.ts';

/** How an undo step names a mask edit: "brush on frame 20". */
const toolWords: Record<MaskEditTool, string> = { brush: 'brush', eraser: 'eraser', polygon: 'polygon', fillHoles: 'fill holes', click: 'click' };

/** What the annotator drew and what propagation computed, per frame; user keyframes are the annotator's own. */
export class ProjectAnnotationsService implements AnnotationsService {
  constructor(private readonly library: ProjectLibrary) {}

  async getFrame(args: { projectId: string; clipId: string; frameIndex: number }): Promise<FrameAnnotations> {
    const { store, clip } = this.clipOf(args.projectId, args.clipId);
    checkFrame(clip, args.frameIndex);
    const annotations: ObjectAnnotation[] = store.listAnnotationsForFrame(args.clipId, args.frameIndex).map((record) => ({
      objectId: record.objectId,
      source: record.source,
      confidence: record.confidence,
      ...(record.kind === 'labels'
        ? { mask: plainBytes(record.labels.data) }
        : { keypoints: record.keypoints.map(({ x, y, visibility }) => ({ x, y, visibility })) }),
    }));
    const revisions = Object.fromEntries(store.annotationRevisions(args.clipId, args.frameIndex));
    return { frameIndex: args.frameIndex, width: clip.width, height: clip.height, annotations, revisions };
  }

  async putMask(
    args: { projectId: string; clipId: string; objectId: string; frameIndex: number; mask: Uint8Array; tool?: MaskEditTool; baseRevision?: number } & EditSession,
  ): Promise<SavedAnnotation> {
    const { store, clip } = this.clipOf(args.projectId, args.clipId);
    checkFrame(clip, args.frameIndex);
    const object = objectOf(store, clip, args.objectId);
    if (object.kind === 'keypoints') throw new ApiError('INVALID_ARGUMENT', `"${object.name}" is a keypoints object; it takes joints, not a mask.`);
    if (args.mask.length !== clip.width * clip.height) {
      throw new ApiError('INVALID_ARGUMENT', `The mask has ${args.mask.length} values; "${clip.name}" frames are ${clip.width}×${clip.height}.`);
    }
    const data = object.kind === 'mask' ? args.mask.map((value) => (value ? 1 : 0)) : Uint8Array.from(args.mask);
    const parts = object.kind === 'part' && object.labelSetId ? store.getLabelSet(object.labelSetId) : undefined;
    if (parts) {
      let highest = 0;
      for (const value of data) if (value > highest) highest = value;
      if (highest >= parts.classes.length) throw new ApiError('INVALID_ARGUMENT', `"${object.name}" uses part set "${parts.name}" (classes 0..${parts.classes.length - 1}); the mask has class ${highest}.`);
    }
    const empty = data.every((value) => value === 0);
    const label = `${args.tool ? toolWords[args.tool] : 'mask'} on frame ${args.frameIndex}`;
    return store.transaction(() => {
      refuseStale(store, clip, object, args.frameIndex, args.baseRevision);
      const step = store.history.begin(clip.id, 'edit', label, args.sessionId);
      store.history.track(step, [{ target: 'annotation', objectId: object.id, frameIndex: args.frameIndex }], () => {
        if (empty) store.deleteAnnotation(object.id, args.frameIndex);
        else store.putAnnotation({ objectId: object.id, frameIndex: args.frameIndex, source: 'user', kind: 'labels', labels: { width: clip.width, height: clip.height, data } });
      });
      store.history.finish(step, label);
      return { revision: store.annotationRevision(clip.id, object.id, args.frameIndex) };
    });
  }

  async putKeypoints(
    args: { projectId: string; clipId: string; objectId: string; frameIndex: number; keypoints: KeypointValue[]; baseRevision?: number } & EditSession,
  ): Promise<SavedAnnotation> {
    const { store, clip } = this.clipOf(args.projectId, args.clipId);
    checkFrame(clip, args.frameIndex);
    const object = objectOf(store, clip, args.objectId);
    if (object.kind !== 'keypoints') throw new ApiError('INVALID_ARGUMENT', `"${object.name}" is a ${object.kind} object; it takes a mask, not joints.`);
    const skeleton = object.labelSetId ? store.getLabelSet(object.labelSetId) : undefined;
    if (skeleton && args.keypoints.length !== skeleton.joints.length) {
      throw new ApiError('INVALID_ARGUMENT', `"${object.name}" uses skeleton "${skeleton.name}" of ${skeleton.joints.length} joints; got ${args.keypoints.length}.`);
    }
    const label = `joints on frame ${args.frameIndex}`;
    return store.transaction(() => {
      refuseStale(store, clip, object, args.frameIndex, args.baseRevision);
      const step = store.history.begin(clip.id, 'edit', label, args.sessionId);
      store.history.track(step, [{ target: 'annotation', objectId: object.id, frameIndex: args.frameIndex }], () =>
        store.putAnnotation({ objectId: object.id, frameIndex: args.frameIndex, source: 'user', kind: 'keypoints', keypoints: args.keypoints.map((point) => ({ ...point })) }),
      );
      store.history.finish(step, label);
      return { revision: store.annotationRevision(clip.id, object.id, args.frameIndex) };
    });
  }

  async removeSmallIslands(args: { projectId: string; clipId: string; objectId: string; minPixels: number; frameIndex?: number } & EditSession): Promise<IslandRemovalSummary> {
    const { store, clip } = this.clipOf(args.projectId, args.clipId);
    if (args.frameIndex !== undefined) checkFrame(clip, args.frameIndex);
    const object = objectOf(store, clip, args.objectId);
    if (object.kind === 'keypoints') throw new ApiError('INVALID_ARGUMENT', `"${object.name}" is a keypoints object; it has joints, not regions.`);
    const records = args.frameIndex !== undefined
      ? [store.getAnnotation(object.id, args.frameIndex)].filter((record) => record !== undefined)
      : store.listAnnotationsForObject(object.id, 'propagated');
    const where = args.frameIndex !== undefined ? `frame ${args.frameIndex}` : 'propagated frames';
    const label = `islands under ${args.minPixels} px removed (${object.name}, ${where})`;
    const summary = { frames: 0, islands: 0, pixels: 0 };
    store.transaction(() => {
      const step = store.history.begin(clip.id, 'edit', label, args.sessionId);
      for (const record of records) {
        if (record.kind !== 'labels') continue;
        const { width, height, data } = record.labels;
        const cleaned = removeSmallIslands(data, width, height, args.minPixels);
        if (cleaned.islands === 0) continue;
        store.history.track(step, [{ target: 'annotation', objectId: object.id, frameIndex: record.frameIndex }], () =>
          store.putAnnotation({
            objectId: object.id, frameIndex: record.frameIndex, source: record.source, runId: record.runId, confidence: record.confidence,
            kind: 'labels', labels: { width, height, data: cleaned.values },
          }),
        );
        summary.frames++;
        summary.islands += cleaned.islands;
        summary.pixels += cleaned.pixels;
      }
      store.history.finish(step, label);
    });
    return summary;
  }

  async getTimeline(args: { projectId: string; clipId: string }): Promise<ClipTimeline> {
    const { store, clip } = this.clipOf(args.projectId, args.clipId);
    const keyframes = new Set<number>();
    const propagated = new Set<number>();
    const confidenceSum = new Float64Array(clip.frameCount);
    const confidenceCount = new Uint32Array(clip.frameCount);
    for (const object of store.listObjects(clip.id)) {
      for (const record of store.listAnnotationsForObject(object.id)) {
        if (record.source === 'user') {
          keyframes.add(record.frameIndex);
          continue;
        }
        propagated.add(record.frameIndex);
        if (record.confidence !== null) {
          confidenceSum[record.frameIndex] += record.confidence;
          confidenceCount[record.frameIndex]++;
        }
      }
    }
    const reviewed = new Array<boolean>(clip.frameCount).fill(false);
    for (const state of store.listFrameStates(clip.id)) if (state.frameIndex < clip.frameCount) reviewed[state.frameIndex] = state.reviewed;
    return {
      frameCount: clip.frameCount,
      keyframes: [...keyframes].sort((a, b) => a - b),
      propagated: [...propagated].sort((a, b) => a - b),
      confidence: Array.from(confidenceSum, (sum, frame) => (confidenceCount[frame] ? sum / confidenceCount[frame] : null)),
      reviewed,
    };
  }

  async setReviewed(args: { projectId: string; clipId: string; frameIndex: number; reviewed: boolean } & EditSession): Promise<void> {
    const { store, clip } = this.clipOf(args.projectId, args.clipId);
    checkFrame(clip, args.frameIndex);
    const label = `${args.reviewed ? 'reviewed mark' : 'unreviewed mark'} on frame ${args.frameIndex}`;
    store.transaction(() => {
      const step = store.history.begin(clip.id, 'edit', label, args.sessionId);
      store.history.track(step, [{ target: 'frame_state', frameIndex: args.frameIndex }], () =>
        store.setFrameState(clip.id, args.frameIndex, { reviewed: args.reviewed }),
      );
      store.history.finish(step, label);
    });
  }

  private clipOf(projectId: string, clipId: string): { store: ProjectStore; clip: ClipRecord } {
    const store = this.library.open(projectId);
    const clip = store.getClip(clipId);
    if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${clipId}.`);
    return { store, clip };
  }
}

function checkFrame(clip: ClipRecord, frameIndex: number): void {
  if (frameIndex >= clip.frameCount) throw new ApiError('OUT_OF_RANGE', `Frame ${frameIndex} is past the end of "${clip.name}" (${clip.frameCount} frames).`);
}

/**
 * Two windows on one project: a save based on a revision older than the label's current one would silently undo
 * the other window's (or a run's) write, so it is refused; the caller reloads the frame and the annotator redoes it.
 */
function refuseStale(store: ProjectStore, clip: ClipRecord, object: ObjectRecord, frameIndex: number, baseRevision: number | undefined): void {
  if (baseRevision === undefined) return;
  const current = store.annotationRevision(clip.id, object.id, frameIndex);
  if (current === baseRevision) return;
  throw new ApiError(
    'STALE_REVISION',
    `"${object.name}" on frame ${frameIndex} was changed in another window (or by a run) since you loaded it: your edit was not saved, ` +
      'and the frame shows the saved labels.',
  );
}

function objectOf(store: ProjectStore, clip: ClipRecord, objectId: string): ObjectRecord {
  const object = store.getObject(objectId);
  if (!object || object.clipId !== clip.id) throw new ApiError('NOT_FOUND', `Clip "${clip.name}" has no object ${objectId}.`);
  return object;
}
