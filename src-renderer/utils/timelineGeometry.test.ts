import { describe, expect, it } from 'vitest';
import { clampFrameIndex, frameCentreFraction, frameIndexAt } from './timelineGeometry.ts';

describe('timeline geometry', () => {
  it('maps a position on the strip to the frame whose cell holds it', () => {
    expect(frameIndexAt(0, 300, 30)).toBe(0);
    expect(frameIndexAt(9.9, 300, 30)).toBe(0);
    expect(frameIndexAt(10, 300, 30)).toBe(1);
    expect(frameIndexAt(299, 300, 30)).toBe(29);
  });

  it('clamps positions dragged beyond either end of the strip', () => {
    expect(frameIndexAt(-40, 300, 30)).toBe(0);
    expect(frameIndexAt(900, 300, 30)).toBe(29);
  });

  it('puts the playhead at the centre of the frame cell, which maps back to the same frame', () => {
    for (const frameIndex of [0, 7, 29]) {
      expect(frameIndexAt(frameCentreFraction(frameIndex, 30) * 300, 300, 30)).toBe(frameIndex);
    }
  });

  it('clamps wished frame indices into the clip', () => {
    expect(clampFrameIndex(-1, 30)).toBe(0);
    expect(clampFrameIndex(30, 30)).toBe(29);
    expect(clampFrameIndex(4, 30)).toBe(4);
  });
});
