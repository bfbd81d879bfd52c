import { describe, expect, it } from 'vitest';
import { formatFps, formatRelativeTime, pluralize } from './formatting.ts';
import { rgbToRgba } from './rgbToRgba.ts';
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

describe('rgbToRgba', () => {
  it('copies each RGB pixel and makes it opaque', () => {
    expect(Array.from(rgbToRgba(Uint8Array.from([1, 2, 3, 4, 5, 6]), 2, 1))).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('refuses data whose length does not match the frame size', () => {
    expect(() => rgbToRgba(new Uint8Array(5), 2, 1)).toThrow(/5 bytes, expected 6 for 2×1/);
  });
});

describe('formatting', () => {
  it('describes recent times relatively and old ones as dates', () => {
    const now = new Date('2025-01-10T12:00:00Z');
    expect(formatRelativeTime('2025-01-10T11:59:50Z', now)).toBe('just now');
    expect(formatRelativeTime('2025-01-10T11:50:00Z', now)).toMatch(/10 minutes ago/);
    expect(formatRelativeTime('not a time', now)).toBe('unknown');
    expect(formatRelativeTime('2024-01-10T12:00:00Z', now)).toMatch(/2024/);
  });

  it('prints frame rates without needless decimals', () => {
    expect(formatFps(30)).toBe('30 fps');
    expect(formatFps(29.97002997)).toBe('29.97 fps');
  });

  it('pluralizes counts', () => {
    expect(pluralize(1, 'clip')).toBe('1 clip');
    expect(pluralize(3, 'clip')).toBe('3 clips');
  });
});
