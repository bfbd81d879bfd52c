import type { ClipTimeline } from '../../src-main/core/api/contract.ts';

/** The nearest keyframe strictly before (direction -1) or after (+1) `frameIndex`. */
export function adjacentKeyframe(keyframes: readonly number[], frameIndex: number, direction: 1 | -1): number | undefined {
  let best: number | undefined;
  for (const keyframe of keyframes) {
    if (direction > 0 ? keyframe <= frameIndex : keyframe >= frameIndex) continue;
    if (best === undefined || Math.abs(keyframe - frameIndex) < Math.abs(best - frameIndex)) best = keyframe;
  }
  return best;
}

/** The keyframe at `frameIndex` or the nearest one on the given side of it. */
export function keyframeAtOrNear(keyframes: readonly number[], frameIndex: number, direction: 1 | -1): number | undefined {
  return keyframes.includes(frameIndex) ? frameIndex : adjacentKeyframe(keyframes, frameIndex, direction);
}

/**
 * The two keyframes a Fill at `frameIndex` works between: the last keyframe at or before it and the first one after
 * it; on the last keyframe, the one before it and itself. Undefined when the playhead has no keyframe on one side.
 */
export function keyframesAround(keyframes: readonly number[], frameIndex: number): { from: number; to: number } | undefined {
  const sorted = [...keyframes].sort((a, b) => a - b);
  const after = sorted.find((keyframe) => keyframe > frameIndex);
  const atOrBefore = sorted.filter((keyframe) => keyframe <= frameIndex).at(-1);
  if (atOrBefore !== undefined && after !== undefined) return { from: atOrBefore, to: after };
  const before = sorted.filter((keyframe) => keyframe < frameIndex).at(-1);
  return atOrBefore === frameIndex && before !== undefined ? { from: before, to: frameIndex } : undefined;
}

/**
 * The unreviewed frame with propagated labels of lowest confidence, other than the current one (so pressing N again
 * moves on); among equals, the first one after the current frame (wrapping round).
 */
export function leastConfidentUnreviewed(timeline: ClipTimeline, frameIndex: number): number | undefined {
  const count = timeline.confidence.length;
  let best: number | undefined;
  let bestConfidence = Infinity;
  for (let step = 1; step < count; step++) {
    const candidate = (frameIndex + step) % count;
    const confidence = timeline.confidence[candidate];
    if (confidence === null || confidence === undefined || timeline.reviewed[candidate]) continue;
    if (confidence < bestConfidence) {
      best = candidate;
      bestConfidence = confidence;
    }
  }
  return best;
}

export interface FrameRun {
  start: number;
  /** Exclusive. */
  end: number;
}

/** Consecutive frames grouped into runs, so a timeline shades thousands of frames with a few elements. */
export function frameRuns(frames: Iterable<number>): FrameRun[] {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  const runs: FrameRun[] = [];
  for (const frame of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.end === frame) last.end = frame + 1;
    else runs.push({ start: frame, end: frame + 1 });
  }
  return runs;
}

/** Indices whose flag is set. */
export function flaggedFrames(flags: readonly boolean[]): number[] {
  const frames: number[] = [];
  flags.forEach((flag, index) => flag && frames.push(index));
  return frames;
}
