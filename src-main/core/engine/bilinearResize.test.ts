import { describe, expect, it } from 'vitest';
import { bilinearResize } from './bilinearResize.ts';

describe('bilinearResize', () => {
  it('samples rows 8d+3 and 8d+4 half and half when shrinking 480 rows to 60 (SPEC §2.1)', () => {
    const data = new Float32Array(480).map((_, i) => i);
    const out = bilinearResize({ width: 1, height: 480, channels: 1, data }, 1, 60);
    expect(Array.from(out.data.subarray(0, 3))).toEqual([3.5, 11.5, 19.5]);
    expect(out.data[59]).toBe(8 * 59 + 3.5);
  });

  it('clamps at both borders when enlarging 2 to 4 pixels', () => {
    const out = bilinearResize({ width: 2, height: 1, channels: 1, data: new Float32Array([0, 1]) }, 4, 1);
    // positions -0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, clamped 1
    expect(Array.from(out.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('resizes every channel independently in channel-last layout', () => {
    const data = new Float32Array([0, 10, 1, 20]); // 2 pixels × 2 channels
    const out = bilinearResize({ width: 2, height: 1, channels: 2, data }, 4, 1);
    expect(Array.from(out.data)).toEqual([0, 10, 0.25, 12.5, 0.75, 17.5, 1, 20]);
  });

  it('rounds like float32 arithmetic, not double', () => {
    const data = new Float32Array([0.1, 0.7, 0.3]);
    const out = bilinearResize({ width: 3, height: 1, channels: 1, data }, 7, 1);
    for (const value of out.data) expect(Math.fround(value)).toBe(value);
    // d=1: position float32(1.5*3/7-0.5) = 0.14285714…, weight 1-a applied to 0.1 and a to 0.7
    const a = Math.fround(Math.fround(1.5 * (1 / (7 / 3)) - 0.5));
    expect(out.data[1]).toBe(Math.fround(Math.fround(data[0] * Math.fround(1 - a)) + Math.fround(data[1] * a)));
  });

  it('averages 2×2 blocks for an exact halving, as OpenCV switches to INTER_AREA', () => {
    const data = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]); // 4×2
    const out = bilinearResize({ width: 4, height: 2, channels: 1, data }, 2, 1);
    expect(Array.from(out.data)).toEqual([3.5, 5.5]);
  });

  it('refuses data whose length does not match the stated size', () => {
    expect(() => bilinearResize({ width: 3, height: 3, channels: 1, data: new Float32Array(4) }, 2, 2)).toThrow(/expected 3×3×1/);
  });
});
