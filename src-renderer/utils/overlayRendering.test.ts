import { describe, expect, it } from 'vitest';
import { renderOverlay } from './overlayRendering.ts';

describe('renderOverlay', () => {
  it('draws region pixels at the fill alpha and outlines opaque, in the layer colour', () => {
    const width = 5;
    const height = 5;
    const mask = new Uint8Array(25);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask[y * width + x] = 1;
    const rgba = new Uint8ClampedArray(100);
    renderOverlay(rgba, width, height, [{ mask, colour: [128, 0, 0], kind: 'mask' }], 100);
    const pixel = (x: number, y: number) => Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
    expect(pixel(0, 0)).toEqual([0, 0, 0, 0]);
    expect(pixel(1, 1)).toEqual([128, 0, 0, 255]);
    expect(pixel(2, 2)).toEqual([128, 0, 0, 100]);
  });

  it('colours part pixels by class and puts later layers on top', () => {
    const rgba = new Uint8ClampedArray(8);
    renderOverlay(
      rgba,
      2,
      1,
      [
        { mask: new Uint8Array([2, 2]), colour: [1, 1, 1], kind: 'part' },
        { mask: new Uint8Array([0, 1]), colour: [128, 0, 0], kind: 'mask' },
      ],
      128,
    );
    expect(Array.from(rgba.subarray(0, 3))).toEqual([0, 128, 0]);
    expect(Array.from(rgba.subarray(4, 7))).toEqual([128, 0, 0]);
  });
});
