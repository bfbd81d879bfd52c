import { describe, expect, it } from 'vitest';
import { rgbToRgba } from './rgbToRgba.ts';

describe('rgbToRgba', () => {
  it('copies each RGB pixel and makes it opaque', () => {
    expect(Array.from(rgbToRgba(Uint8Array.from([1, 2, 3, 4, 5, 6]), 2, 1))).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('refuses data whose length does not match the frame size', () => {
    expect(() => rgbToRgba(new Uint8Array(5), 2, 1)).toThrow(/5 bytes, expected 6 for 2×1/);
  });
});
