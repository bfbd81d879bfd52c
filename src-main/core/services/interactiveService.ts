import { ApiError } from '../api/apiError.ts';
import type { AnnotationsService, ClickSegmentRequest, ClickSegmentResult, InteractiveService } from '../api/contract.ts';
import type { FeatureMap, RgbFrame } from '../engine/featureMap.ts';
import { segmentByClicks } from '../interactive/clickSegmentation.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ClipRecord } from '../store/types.ts';

export interface InteractiveServiceOptions {
  library: ProjectLibrary;
  annotations: AnnotationsService;
  /** A frame and its features (the propagation stream's, through the project's feature cache). */
  frameFeatures(projectId: string, clip: ClipRecord, frameIndex: number): Promise<{ frame: RgbFrame; features: FeatureMap }>;
}

/**
 * The click tool (issue 19): each call refines the object's mask on one frame from the clicks so far (and a box),
 * starting from the mask it holds there now, and saves the result through `annotations.putMask` as a user
 * keyframe, so each click is one undo step. The last frame's features stay in memory for the next click.
 */
export class ProjectInteractiveService implements InteractiveService {
  private last: { key: string; frame: RgbFrame; features: FeatureMap } | undefined;

  constructor(private readonly options: InteractiveServiceOptions) {}

  async segment(args: ClickSegmentRequest): Promise<ClickSegmentResult> {
    const started = performance.now();
    const store = this.options.library.open(args.projectId);
    const clip = store.getClip(args.clipId);
    if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    if (args.frameIndex >= clip.frameCount) throw new ApiError('OUT_OF_RANGE', `Frame ${args.frameIndex} is past the end of "${clip.name}" (${clip.frameCount} frames).`);
    const object = store.getObject(args.objectId);
    if (!object || object.clipId !== clip.id) throw new ApiError('NOT_FOUND', `Clip "${clip.name}" has no object ${args.objectId}.`);
    if (object.kind !== 'mask') throw new ApiError('INVALID_ARGUMENT', `The click tool segments mask objects; "${object.name}" is a ${object.kind} object.`);
    if (args.clicks.length === 0 && !args.box) throw new ApiError('INVALID_ARGUMENT', 'Click on the object or drag a box around it.');
    for (const click of args.clicks) {
      if (click.x >= clip.width || click.y >= clip.height) {
        throw new ApiError('OUT_OF_RANGE', `A click at (${click.x}, ${click.y}) is outside the ${clip.width}×${clip.height} frame.`);
      }
    }
    const box = args.box && {
      x0: Math.min(args.box.x0, args.box.x1), y0: Math.min(args.box.y0, args.box.y1),
      x1: Math.min(clip.width, Math.max(args.box.x0, args.box.x1)), y1: Math.min(clip.height, Math.max(args.box.y0, args.box.y1)),
    };
    if (box && (box.x1 - box.x0 < 2 || box.y1 - box.y0 < 2)) throw new ApiError('INVALID_ARGUMENT', 'The box is too small; drag a box around the object.');
    const { frame, features } = await this.frameOf(args.projectId, clip, args.frameIndex);
    const current = store.getAnnotation(object.id, args.frameIndex);
    // A box alone starts the object over; clicks refine what the frame holds.
    const previousMask = current?.kind === 'labels' && args.clicks.length > 0 ? Uint8Array.from(current.labels.data, (value) => (value ? 1 : 0)) : undefined;
    const mask = segmentByClicks({ frame, features, clicks: args.clicks, box, previousMask });
    const { revision } = await this.options.annotations.putMask({
      projectId: args.projectId, clipId: clip.id, objectId: object.id, frameIndex: args.frameIndex, mask, tool: 'click', sessionId: args.sessionId,
    });
    return { mask, revision, ms: Math.round(performance.now() - started) };
  }

  private async frameOf(projectId: string, clip: ClipRecord, frameIndex: number): Promise<{ frame: RgbFrame; features: FeatureMap }> {
    const key = `${projectId}/${clip.id}/${frameIndex}`;
    if (this.last?.key !== key) {
      const loaded = await this.options.frameFeatures(projectId, clip, frameIndex);
      this.last = { key, ...loaded };
    }
    return this.last;
  }
}
