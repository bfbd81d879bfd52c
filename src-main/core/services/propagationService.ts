/**
 * Propagation from the app: the project's keyframes → engine sessions → propagated annotations, saved frame by
 * frame. Objects sharing the same keyframes propagate together as one label map (they compete for pixels, as
 * DAVIS objects do); part and keypoint objects propagate on their own. User keyframes and objects outside the
 * request are never written.
 */
import { ApiError, CALLER_GONE } from '../api/apiError.ts';
import type { CallOptions, PropagationRequest, PropagationRunInfo, PropagationService, PropagationSummary } from '../api/contract.ts';
import { isCancellation } from '../base/cancellation.ts';
import { clipFeatureCacheFolder } from '../engine/featureCache.ts';
import type { FeatureMap, RgbFrame } from '../engine/featureMap.ts';
import { decodeKeypoints, encodeKeypoints } from '../engine/keypointEncoding.ts';
import type { KernelRunner } from '../engine/kernelRunner.ts';
import { createKernelRunner } from '../engine/kernelRunners.ts';
import { SelectionCache } from '../engine/frameSelection.ts';
import { decodePrediction, encodeLabelMap, type LabelSet } from '../engine/labelEncoding.ts';
import { defaultPropagationSettings } from '../engine/propagationKernel.ts';
import type { FrameResult, SoftLabels } from '../engine/propagationSession.ts';
import { openFeatureStream, type OpenedStream } from '../models/featureStreams.ts';
import type { OnnxSessionPool } from '../models/onnxRuntime.ts';
import { type ClipPipeline, newClipSession, openClipPipeline, propagateForward } from '../pipeline/clipPipeline.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import { RUN_INTERRUPTED_MESSAGE, type AnnotationRecord, type ClipRecord, type ObjectRecord } from '../store/types.ts';
import { sourceInfoOf } from '../video/index.ts';
import { DEFAULT_PROPAGATION_STREAM } from '../models/shippedModels.ts';

export interface PropagationServiceOptions {
  library: ProjectLibrary;
  pool: OnnxSessionPool;
  appRoot: string;
  threads: number;
  registryDirectory?: string;
}

/** Frames `first`..`last` of the gap between a group's consecutive keyframes `a` < `b`, filled by blending. */
interface FillSegment {
  a: number;
  b: number;
  first: number;
  last: number;
}

/** One engine session's worth of objects: how their keyframes become labels and predictions become annotations. */
interface Group {
  objects: ObjectRecord[];
  keyframes: number[];
  labelsAt(frameIndex: number): SoftLabels;
  /** Saves a computed frame; `keep(objectId)` says the annotator edited that label during the run, so it stays. */
  write(store: ProjectStore, frameIndex: number, result: FrameResult, runId: string, keep: (objectId: string) => boolean): void;
}

export class ProjectPropagationService implements PropagationService {
  private readonly streams = new Map<string, Promise<OpenedStream>>();
  /** One kernel runner for every run: its workers and onnxruntime sessions stay warm between clicks. */
  private runner: KernelRunner | undefined;
  /** First-frame selections made by prepare() for the next click (a few, any clip). */
  private readonly selections = new SelectionCache(8);

  constructor(private readonly options: PropagationServiceOptions) {}

  /** The shared runner behind a handle whose close() leaves it running (sessions close their runner). */
  private runnerHandle(): KernelRunner {
    const runner = (this.runner ??= createKernelRunner({ threads: this.options.threads }));
    return { name: runner.name, threads: runner.threads, run: (job) => runner.run(job), close: async () => {} };
  }

  /** A model behind a stream name changed (a new FC export): open streams again on next use. */
  forgetStreams(): void {
    this.streams.clear();
  }

  async dispose(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.close();
  }

  private streamOf(spec: string): Promise<OpenedStream> {
    let stream = this.streams.get(spec);
    if (!stream) {
      stream = openFeatureStream(spec, { pool: this.options.pool, appRoot: this.options.appRoot, registryDirectory: this.options.registryDirectory });
      stream.catch(() => this.streams.delete(spec));
      this.streams.set(spec, stream);
    }
    return stream;
  }

  /** A clip's pipeline under a stream spec, through the project's feature cache and shared selections; close it when done. */
  private async pipelineOf(projectId: string, clip: ClipRecord, spec: string): Promise<ClipPipeline> {
    const stream = await this.streamOf(spec);
    const identity = { clip: clip.id, sourcePath: clip.sourcePath, frameCount: clip.frameCount, width: clip.width, height: clip.height };
    // Features live per clip (features/<clip id>/<key>), so deleting a clip deletes its features.
    const cache = { root: clipFeatureCacheFolder(this.options.library.cacheDir(projectId), clip.id), identity };
    return openClipPipeline({ frames: sourceInfoOf(clip), stream, cache, selections: this.selections });
  }

  /** One frame of a clip and its features under a stream, through the project's feature cache (the click tool's input). */
  async frameFeatures(projectId: string, clip: ClipRecord, frameIndex: number, spec = DEFAULT_PROPAGATION_STREAM): Promise<{ frame: RgbFrame; features: FeatureMap }> {
    const pipeline = await this.pipelineOf(projectId, clip, spec);
    try {
      return { frame: await pipeline.frame(frameIndex), features: await pipeline.features(frameIndex) };
    } finally {
      pipeline.close();
    }
  }

  /**
   * One mask object's masks on `frames`, propagated forward from its user keyframe at `inputFrame` alone, in
   * memory: nothing is saved. The training panel scores a stream this way on the user keyframes it holds out.
   */
  async predictObjectMasks(
    args: { projectId: string; clipId: string; objectId: string; inputFrame: number; frames: number[]; stream: string },
    signal?: AbortSignal,
  ): Promise<Map<number, Uint8Array>> {
    const store = this.options.library.open(args.projectId);
    const clip = store.getClip(args.clipId);
    if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    const input = store.getAnnotation(args.objectId, args.inputFrame);
    if (!input || input.source !== 'user' || input.kind !== 'labels') {
      throw new ApiError('NO_KEYFRAME', `Object ${args.objectId} has no user mask on frame ${args.inputFrame}.`);
    }
    const labelSet = greyLabelSet([0, 1]);
    const wanted = new Set(args.frames.filter((frame) => frame > args.inputFrame && frame < clip.frameCount));
    const masks = new Map<number, Uint8Array>();
    if (wanted.size === 0) return masks;
    const pipeline = await this.pipelineOf(args.projectId, clip, args.stream);
    try {
      await propagateForward(pipeline, {
        from: args.inputFrame,
        to: Math.max(...wanted),
        labels: encodeLabelMap({ width: clip.width, height: clip.height, indices: Uint8Array.from(input.labels.data, (v) => (v ? 1 : 0)) }, labelSet).labels,
        settings: defaultPropagationSettings,
        runner: this.runnerHandle(),
        signal,
        onFrame: (frameIndex, result) => {
          if (wanted.has(frameIndex)) masks.set(frameIndex, decodePrediction(result.labels, labelSet, clip.width, clip.height));
        },
      });
    } finally {
      pipeline.close();
    }
    return masks;
  }

  async run(args: PropagationRequest, callOptions: CallOptions = {}): Promise<PropagationSummary> {
    const store = this.options.library.open(args.projectId);
    const clip = requestedClip(store, args);
    const groups = this.groupsOf(store, clip, args.objectIds);
    if (groups.length === 0) {
      throw new ApiError('NO_KEYFRAME', 'Nothing to propagate: draw a mask (or place joints) on a frame of an object first.');
    }
    const fills = args.mode === 'fill' ? this.fillPlanOf(args, clip, groups) : undefined;
    const specName = args.stream ?? DEFAULT_PROPAGATION_STREAM;
    const pipeline = await this.pipelineOf(args.projectId, clip, specName);
    const settings = defaultPropagationSettings;
    const direction = args.mode === 'fill' ? 'both' : args.mode;
    // The run is one undo step: every frame it saves records the rows it replaced, in that frame's transaction.
    const { run, step } = store.transaction(() => ({
      run: store.startRun({ clipId: clip.id, params: { mode: args.mode, stream: specName, ...settings, objects: groups.flatMap((g) => g.objects.map((o) => o.id)) }, modelId: null, direction }),
      step: store.history.begin(clip.id, 'propagation', 'propagation'),
    }));
    const started = performance.now();
    let framesWritten = 0;
    let stepsDone = 0;
    const totalSteps = fills
      ? fills.reduce((sum, fill) => sum + fill.segments.reduce((n, { a, b, first, last }) => n + (last - a) + (b - first), 0), 0)
      : groups.reduce((sum, group) => sum + this.framesOf(args, clip, group).length, 0);
    // The run and its undo step end once: at the end, or at once on a cancel (the frame being computed is dropped),
    // so undo is available right away, also when the window that started the run reloads or closes.
    let outcome: 'finished' | 'cancelled' | 'interrupted' | 'failed' | undefined;
    const end = (how: NonNullable<typeof outcome>, errorMessage?: string) => {
      if (outcome) return;
      outcome = how;
      const status = how === 'interrupted' ? 'cancelled' : how;
      store.transaction(() => store.finishRun(run.id, status, how === 'interrupted' ? RUN_INTERRUPTED_MESSAGE : errorMessage));
      const frames = store.history.changedFrames(step);
      store.history.finish(step, `propagation (${frames} frame${frames === 1 ? '' : 's'}${how === 'finished' ? '' : `, ${how}`})`);
    };
    const signal = callOptions.signal;
    const onAbort = () => end(signal?.reason === CALLER_GONE ? 'interrupted' : 'cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (const [index, group] of groups.entries()) {
        if (fills && fills[index].segments.length === 0) continue;
        const session = newClipSession(pipeline, settings, this.runnerHandle());
        try {
          for (const frameIndex of group.keyframes) session.setKeyframe(frameIndex, group.labelsAt(frameIndex));
          const onFrame = (frameIndex: number, result: FrameResult) => {
            if (result.isKeyframe || outcome) return;
            const keys = [
              ...group.objects.map((object) => ({ target: 'annotation' as const, objectId: object.id, frameIndex })),
              { target: 'frame_state' as const, frameIndex },
            ];
            store.transaction(() =>
              store.history.track(step, keys, () => {
                group.write(store, frameIndex, result, run.id, (objectId) => store.history.changedSince(step, objectId, frameIndex));
                store.setFrameState(clip.id, frameIndex, { confidence: result.confidence });
              }),
            );
            framesWritten++;
            if (!fills) stepsDone++;
            callOptions.onProgress?.({ done: stepsDone, total: totalSteps, message: `Frame ${frameIndex} of 0–${clip.frameCount - 1}`, frameIndex });
          };
          if (fills) {
            for (const segment of fills[index].segments) {
              const range = `Frames ${segment.first}–${segment.last}`;
              const forwardSteps = segment.last - segment.a;
              let segmentSteps = 0;
              await session.fillBetween(segment.a, segment.b, {
                first: segment.first, last: segment.last, signal, onFrame,
                onProgress: ({ frameIndex }) => {
                  stepsDone++;
                  segmentSteps++;
                  const saves = segmentSteps > forwardSteps && frameIndex <= segment.last;
                  // A frame the backward pass saves reports through onFrame; the other steps save nothing yet.
                  if (saves || outcome) return;
                  const pass = segmentSteps > forwardSteps ? 'reading backward' : 'reading forward';
                  callOptions.onProgress?.({ done: stepsDone, total: totalSteps, message: `${range}: ${pass}, ${stepsDone} of ${totalSteps}` });
                },
              });
            }
          } else {
            const range = this.rangeOf(args, clip, group);
            await session.propagate({ from: range.from, to: range.to, direction: args.mode as 'forward' | 'backward', signal, onFrame });
          }
        } finally {
          await session.close();
        }
      }
      end('finished');
    } catch (error) {
      // After a cancel the frame still being computed may fail on the closing run: that is part of the cancel.
      if (!outcome && !isCancellation(error)) {
        end('failed', (error as Error).message);
        throw error;
      }
      end(signal?.reason === CALLER_GONE ? 'interrupted' : 'cancelled');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      pipeline.close();
    }
    const cancelled = outcome !== 'finished';
    const ms = performance.now() - started;
    return {
      runId: run.id,
      mode: args.mode,
      framesWritten,
      msPerFrame: framesWritten ? ms / framesWritten : 0,
      device: this.options.pool.describeComputeDevice().label,
      stream: pipeline.stream.description,
      cancelled,
    };
  }

  async lastRun(args: { projectId: string; clipId: string }): Promise<PropagationRunInfo | null> {
    const store = this.options.library.open(args.projectId);
    if (!store.getClip(args.clipId)) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    const run = store.listRuns(args.clipId).at(-1);
    if (!run) return null;
    const interrupted = run.status === 'cancelled' && run.errorMessage === RUN_INTERRUPTED_MESSAGE;
    const mode = run.params.mode === 'backward' || run.params.mode === 'fill' ? run.params.mode : 'forward';
    return {
      runId: run.id,
      mode,
      status: interrupted ? 'interrupted' : run.status,
      framesKept: store.runFrameCount(run.id),
      ...(run.status === 'failed' && run.errorMessage ? { errorMessage: run.errorMessage } : {}),
    };
  }

  async prepare(args: PropagationRequest): Promise<{ prepared: boolean }> {
    const store = this.options.library.open(args.projectId);
    const clip = requestedClip(store, args);
    if (args.mode === 'fill') return { prepared: false };
    const groups = this.groupsOf(store, clip, args.objectIds);
    if (groups.length === 0) return { prepared: false };
    const pipeline = await this.pipelineOf(args.projectId, clip, args.stream ?? DEFAULT_PROPAGATION_STREAM);
    let prepared = false;
    try {
      // The groups' first frames, in the order run() reaches them (the first one matters most).
      for (const group of groups) {
        const session = newClipSession(pipeline, defaultPropagationSettings, this.runnerHandle());
        try {
          // The keyframes set the pass, its anchors and which slots share labels; label values do not matter.
          for (const frameIndex of group.keyframes) session.setKeyframe(frameIndex, group.labelsAt(frameIndex));
          const range = this.rangeOf(args, clip, group);
          prepared = (await session.prepare({ ...range, direction: args.mode })) || prepared;
        } finally {
          await session.close();
        }
      }
    } finally {
      pipeline.close();
    }
    return { prepared };
  }

  /**
   * What a fill writes, per group: the frames strictly between `fromFrame` and `toFrame` (default: the group's first
   * and last keyframe), each blended from the group's own keyframes around it. A group without keyframes on both
   * sides of a frame leaves it alone; NO_KEYFRAME when no group has anything to fill.
   */
  private fillPlanOf(args: PropagationRequest, clip: ClipRecord, groups: Group[]): { segments: FillSegment[] }[] {
    const plans = groups.map((group) => {
      const keys = group.keyframes;
      const low = args.fromFrame ?? keys[0];
      const high = args.toFrame ?? keys[keys.length - 1];
      const segments: FillSegment[] = [];
      for (let i = 0; i + 1 < keys.length; i++) {
        const [a, b] = [keys[i], keys[i + 1]];
        const first = Math.max(a + 1, low + 1);
        const last = Math.min(b - 1, high - 1);
        if (first <= last) segments.push({ a, b, first, last });
      }
      return { segments };
    });
    if (plans.every((plan) => plan.segments.length === 0)) {
      const where = args.fromFrame !== undefined && args.toFrame !== undefined ? ` between frames ${args.fromFrame} and ${args.toFrame}` : '';
      throw new ApiError('NO_KEYFRAME', `Nothing to fill${where} in "${clip.name}": fill needs an object with keyframes on both sides of the frames to fill.`);
    }
    return plans;
  }

  /** Frames a group's pass covers (for the progress total). */
  private framesOf(args: PropagationRequest, clip: ClipRecord, group: Group): number[] {
    const { from, to } = this.rangeOf(args, clip, group);
    const frames: number[] = [];
    const step = from <= to ? 1 : -1;
    for (let t = from; t !== to + step; t += step) if (!group.keyframes.includes(t)) frames.push(t);
    return frames;
  }

  private rangeOf(args: PropagationRequest, clip: ClipRecord, group: Group): { from: number; to: number } {
    const keys = group.keyframes;
    if (args.mode === 'backward') {
      const from = args.fromFrame !== undefined && keys.includes(args.fromFrame) ? args.fromFrame : keys.filter((k) => k <= (args.fromFrame ?? Infinity)).at(-1) ?? keys.at(-1)!;
      return { from, to: Math.min(from, args.toFrame ?? 0) };
    }
    const from = args.fromFrame !== undefined && keys.includes(args.fromFrame) ? args.fromFrame : keys.find((k) => k >= (args.fromFrame ?? 0)) ?? keys[0];
    return { from, to: Math.max(from, args.toFrame ?? clip.frameCount - 1) };
  }

  /** Selected objects with at least one user keyframe, grouped into engine sessions. */
  private groupsOf(store: ProjectStore, clip: ClipRecord, objectIds: string[] | undefined): Group[] {
    const objects = store.listObjects(clip.id).filter((object) => (objectIds ? objectIds.includes(object.id) : !object.hidden));
    if (objectIds) {
      const missing = objectIds.filter((id) => !objects.some((object) => object.id === id));
      if (missing.length) throw new ApiError('NOT_FOUND', `Clip "${clip.name}" has no object ${missing[0]}.`);
    }
    const userKeyframes = new Map<string, Map<number, AnnotationRecord>>();
    for (const object of objects) {
      const keys = new Map(store.listAnnotationsForObject(object.id, 'user').map((a) => [a.frameIndex, a]));
      if (keys.size > 0) userKeyframes.set(object.id, keys);
    }
    const groups: Group[] = [];
    const maskGroups = new Map<string, ObjectRecord[]>();
    for (const object of objects) {
      const keys = userKeyframes.get(object.id);
      if (!keys) continue;
      if (object.kind === 'mask') {
        const signature = [...keys.keys()].sort((a, b) => a - b).join(',');
        maskGroups.set(signature, [...(maskGroups.get(signature) ?? []), object]);
      } else if (object.kind === 'part') {
        groups.push(partGroup(clip, object, keys));
      } else {
        groups.push(keypointGroup(clip, object, keys));
      }
    }
    for (const members of maskGroups.values()) groups.unshift(maskGroup(clip, members, userKeyframes));
    return groups;
  }
}

/** The request's clip, with its from/to frames checked against the clip's length (run and prepare read the same). */
function requestedClip(store: ProjectStore, args: PropagationRequest): ClipRecord {
  const clip = store.getClip(args.clipId);
  if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
  for (const frame of [args.fromFrame, args.toFrame]) {
    if (frame !== undefined && frame >= clip.frameCount) throw new ApiError('OUT_OF_RANGE', `Frame ${frame} is past the end of "${clip.name}" (${clip.frameCount} frames).`);
  }
  return clip;
}

function sortedKeys(keys: Map<number, AnnotationRecord>): number[] {
  return [...keys.keys()].sort((a, b) => a - b);
}

/** Label set over grey values: channel c stands for value ids[c]. */
function greyLabelSet(ids: number[]): LabelSet {
  return { ids, colours: ids.map((id) => [id, id, id] as [number, number, number]) };
}

/** Masks of objects with the same keyframes: one label map, value i+1 for the i-th object, 0 background. */
function maskGroup(clip: ClipRecord, objects: ObjectRecord[], userKeyframes: Map<string, Map<number, AnnotationRecord>>): Group {
  const labelSet = greyLabelSet(Array.from({ length: objects.length + 1 }, (_, i) => i));
  const keyframes = sortedKeys(userKeyframes.get(objects[0].id)!);
  return {
    objects,
    keyframes,
    labelsAt(frameIndex) {
      const indices = new Uint8Array(clip.width * clip.height);
      objects.forEach((object, i) => {
        const record = userKeyframes.get(object.id)!.get(frameIndex)!;
        if (record.kind !== 'labels') return;
        const data = record.labels.data;
        for (let p = 0; p < indices.length; p++) if (data[p]) indices[p] = i + 1;
      });
      return encodeLabelMap({ width: clip.width, height: clip.height, indices }, labelSet).labels;
    },
    write(store, frameIndex, result, runId, keep) {
      const indices = decodePrediction(result.labels, labelSet, clip.width, clip.height);
      objects.forEach((object, i) => {
        const existing = store.getAnnotation(object.id, frameIndex);
        if (existing?.source === 'user' || keep(object.id)) return;
        const data = indices.map((value) => (value === i + 1 ? 1 : 0));
        store.putAnnotation({ objectId: object.id, frameIndex, source: 'propagated', runId, confidence: result.confidence, kind: 'labels', labels: { width: clip.width, height: clip.height, data } });
      });
    },
  };
}

/** A part object: its class ids are the channels. */
function partGroup(clip: ClipRecord, object: ObjectRecord, keys: Map<number, AnnotationRecord>): Group {
  const present = new Set<number>([0]);
  for (const record of keys.values()) if (record.kind === 'labels') for (const value of record.labels.data) present.add(value);
  const labelSet = greyLabelSet([...present].sort((a, b) => a - b));
  return {
    objects: [object],
    keyframes: sortedKeys(keys),
    labelsAt(frameIndex) {
      const record = keys.get(frameIndex)!;
      const indices = record.kind === 'labels' ? Uint8Array.from(record.labels.data) : new Uint8Array(clip.width * clip.height);
      return encodeLabelMap({ width: clip.width, height: clip.height, indices }, labelSet).labels;
    },
    write(store, frameIndex, result, runId, keep) {
      if (store.getAnnotation(object.id, frameIndex)?.source === 'user' || keep(object.id)) return;
      const data = decodePrediction(result.labels, labelSet, clip.width, clip.height);
      store.putAnnotation({ objectId: object.id, frameIndex, source: 'propagated', runId, confidence: result.confidence, kind: 'labels', labels: { width: clip.width, height: clip.height, data } });
    },
  };
}

/** A skeleton of any joint count (the object's own set): Gaussian joint maps at the feature grid (SPEC §3.2), decoded by the top-3 average. */
function keypointGroup(clip: ClipRecord, object: ObjectRecord, keys: Map<number, AnnotationRecord>): Group {
  const geometry = { frameWidth: clip.width, frameHeight: clip.height, inputWidth: clip.width, inputHeight: clip.height, stride: 8 };
  return {
    objects: [object],
    keyframes: sortedKeys(keys),
    labelsAt(frameIndex) {
      const record = keys.get(frameIndex)!;
      const joints = record.kind === 'keypoints' ? record.keypoints.map((p) => (p.visibility > 0 ? { x: p.x, y: p.y } : null)) : [];
      return encodeKeypoints(joints, geometry);
    },
    write(store, frameIndex, result, runId, keep) {
      if (store.getAnnotation(object.id, frameIndex)?.source === 'user' || keep(object.id)) return;
      const { width, height } = result.labels;
      const keypoints = decodeKeypoints(result.labels).map((p) =>
        p.x < 0 ? { x: 0, y: 0, visibility: 0 as const } : { x: (p.x / width) * clip.width, y: (p.y / height) * clip.height, visibility: 2 as const },
      );
      store.putAnnotation({ objectId: object.id, frameIndex, source: 'propagated', runId, confidence: result.confidence, kind: 'keypoints', keypoints });
    },
  };
}
