/**
 * Held-out J&F for the Training panel: a mask object with two or more user keyframes is propagated from its first
 * keyframe alone, and the later keyframes (which the propagation never sees) score the result, with the DAVIS
 * region (J) and boundary (F) measures of SPEC §4. Run once with the stream before training and once after.
 */
import type { HeldOutScore, TrainingStatus } from '../api/contract.ts';
import { maskFromBitmap } from '../eval/binaryMask.ts';
import { boundaryFMeasure, jaccard } from '../eval/davisMetrics.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { AnnotationRecord } from '../store/types.ts';

/** Held-out frames scored at most (spread over the object's later keyframes), to bound the evaluation's cost. */
export const MAX_HELD_OUT_FRAMES = 8;

export interface HeldOutPlan {
  clipId: string;
  clipName: string;
  objectId: string;
  objectName: string;
  inputFrame: number;
  heldOutFrames: number[];
  width: number;
  height: number;
  /** The user's masks on the held-out frames (0/1, H×W). */
  truth: Map<number, Uint8Array>;
}

/** Up to `count` items spread evenly over `items`, always keeping the last. */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.round(((i + 1) * items.length) / count) - 1]);
}

/**
 * The mask object (among the given clips) with the most user keyframes, if any has two or more: its first keyframe
 * is the input, the later ones are held out.
 */
export function planHeldOutEvaluation(store: ProjectStore, clipIds: string[]): HeldOutPlan | undefined {
  let best: { plan: Omit<HeldOutPlan, 'truth'>; keys: AnnotationRecord[] } | undefined;
  for (const clipId of clipIds) {
    const clip = store.getClip(clipId);
    if (!clip) continue;
    for (const object of store.listObjects(clipId)) {
      if (object.kind !== 'mask') continue;
      const keys = store.listAnnotationsForObject(object.id, 'user').filter((record) => record.kind === 'labels');
      if (keys.length < 2 || (best && keys.length <= best.keys.length)) continue;
      const held = spread(keys.slice(1), MAX_HELD_OUT_FRAMES);
      best = {
        keys,
        plan: {
          clipId, clipName: clip.name, objectId: object.id, objectName: object.name, inputFrame: keys[0].frameIndex,
          heldOutFrames: held.map((record) => record.frameIndex), width: clip.width, height: clip.height,
        },
      };
    }
  }
  if (!best) return undefined;
  const truth = new Map<number, Uint8Array>();
  for (const record of best.keys) {
    if (best.plan.heldOutFrames.includes(record.frameIndex) && record.kind === 'labels') truth.set(record.frameIndex, record.labels.data);
  }
  return { ...best.plan, truth };
}

/** What the Training panel shows before a run is scored: the object, its input keyframe and the held-out ones. */
export function previewHeldOut(store: ProjectStore, clipIds: string[]): TrainingStatus['heldOut'] {
  const plan = planHeldOutEvaluation(store, clipIds);
  return plan && { clipName: plan.clipName, objectName: plan.objectName, inputFrame: plan.inputFrame, heldOutFrames: plan.heldOutFrames };
}

/** Mean J, mean F and their mean over the held-out frames (a frame the prediction lacks counts as an empty mask). */
export function scoreHeldOut(plan: HeldOutPlan, predicted: Map<number, Uint8Array>): HeldOutScore {
  let j = 0;
  let f = 0;
  for (const frame of plan.heldOutFrames) {
    const gt = maskFromBitmap(plan.truth.get(frame)!, plan.width, plan.height);
    const result = maskFromBitmap(predicted.get(frame) ?? new Uint8Array(plan.width * plan.height), plan.width, plan.height);
    j += jaccard(gt, result);
    f += boundaryFMeasure(result, gt);
  }
  const J = j / plan.heldOutFrames.length;
  const F = f / plan.heldOutFrames.length;
  return { J, F, JF: (J + F) / 2 };
}
