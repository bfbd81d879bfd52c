import { describe, expect, it } from 'vitest';
import type { ClipTimeline } from '../../src-main/core/api/contract.ts';
import { adjacentKeyframe, frameRuns, keyframeAtOrNear, keyframesAround, leastConfidentUnreviewed } from './timelineNavigation.ts';

const timeline = (confidence: Array<number | null>, reviewed: boolean[]): ClipTimeline => ({
  frameCount: confidence.length, keyframes: [], propagated: [], confidence, reviewed,
});

describe('keyframe navigation', () => {
  it('finds the previous and next keyframe, never the current one', () => {
    expect(adjacentKeyframe([0, 20, 10], 10, 1)).toBe(20);
    expect(adjacentKeyframe([0, 20, 10], 10, -1)).toBe(0);
    expect(adjacentKeyframe([0, 20], 25, 1)).toBeUndefined();
    expect(keyframeAtOrNear([0, 20], 20, -1)).toBe(20);
    expect(keyframeAtOrNear([0, 20], 15, -1)).toBe(0);
    expect(keyframeAtOrNear([0, 20], 15, 1)).toBe(20);
  });
});

describe('keyframesAround', () => {
  it('gives the keyframes on both sides of the playhead, the one under it counting as the left one', () => {
    expect(keyframesAround([10, 0, 30], 5)).toEqual({ from: 0, to: 10 });
    expect(keyframesAround([0, 10, 30], 10)).toEqual({ from: 10, to: 30 });
    expect(keyframesAround([0, 10, 30], 30)).toEqual({ from: 10, to: 30 });
    expect(keyframesAround([0, 10], 40)).toBeUndefined();
    expect(keyframesAround([10, 20], 3)).toBeUndefined();
    expect(keyframesAround([10], 10)).toBeUndefined();
  });
});

describe('leastConfidentUnreviewed', () => {
  it('picks the lowest confidence among unreviewed propagated frames, skipping the current frame', () => {
    const t = timeline([null, 0.9, 0.2, 0.1, 0.5], [false, false, false, true, false]);
    expect(leastConfidentUnreviewed(t, 0)).toBe(2);
    expect(leastConfidentUnreviewed(t, 2)).toBe(4);
  });

  it('prefers the first equal frame after the current one and gives up when all are reviewed', () => {
    expect(leastConfidentUnreviewed(timeline([0.3, 0.3, 0.3, 0.3], [false, false, false, false]), 1)).toBe(2);
    expect(leastConfidentUnreviewed(timeline([0.3, null], [true, false]), 1)).toBeUndefined();
  });
});

describe('frameRuns', () => {
  it('groups consecutive frames', () => {
    expect(frameRuns([5, 1, 2, 3, 7, 6])).toEqual([{ start: 1, end: 4 }, { start: 5, end: 8 }]);
    expect(frameRuns([])).toEqual([]);
  });
});
