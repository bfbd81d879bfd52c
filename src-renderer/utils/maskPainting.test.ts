import { describe, expect, it } from 'vitest';
import { fillHoles, fillPolygon, isEmptyMask, paintStroke, type LabelMap } from './maskPainting.ts';

const blank = (width: number, height: number): LabelMap => ({ width, height, data: new Uint8Array(width * height) });
const count = (map: LabelMap, value: number) => map.data.reduce((sum, v) => sum + (v === value ? 1 : 0), 0);
const at = (map: LabelMap, x: number, y: number) => map.data[y * map.width + x];

describe('paintStroke', () => {
  it('paints a disc of pixel centres within the radius', () => {
    const map = blank(20, 20);
    paintStroke(map, { x: 10, y: 10 }, { x: 10, y: 10 }, 3, 1);
    expect(at(map, 10, 10)).toBe(1);
    expect(at(map, 7, 10)).toBe(1);
    expect(at(map, 6, 10)).toBe(0);
    expect(at(map, 12, 11)).toBe(1);
    expect(at(map, 12, 12)).toBe(0);
    // A disc of radius 3 over pixel centres: close to π·9.
    expect(Math.abs(count(map, 1) - Math.PI * 9)).toBeLessThan(5);
  });

  it('covers the whole segment between two points', () => {
    const map = blank(40, 10);
    paintStroke(map, { x: 5, y: 5 }, { x: 35, y: 5 }, 1, 2);
    for (let x = 5; x < 35; x++) expect(at(map, x, 4)).toBe(2);
    expect(at(map, 5, 2)).toBe(0);
  });

  it('always marks the pixel under a 1-pixel brush', () => {
    const map = blank(5, 5);
    expect(paintStroke(map, { x: 2.9, y: 1.1 }, { x: 2.9, y: 1.1 }, 0.5, 1)).toBeGreaterThan(0);
    expect(at(map, 2, 1)).toBe(1);
  });

  it('erases with value 0 and ignores points outside the frame', () => {
    const map = blank(6, 6);
    map.data.fill(1);
    paintStroke(map, { x: -10, y: -10 }, { x: 0.5, y: 0.5 }, 1, 0);
    expect(at(map, 0, 0)).toBe(0);
    expect(at(map, 5, 5)).toBe(1);
  });
});

describe('fillPolygon', () => {
  it('fills exactly the pixels of an axis-aligned rectangle', () => {
    const map = blank(20, 20);
    fillPolygon(map, [{ x: 4, y: 5 }, { x: 14, y: 5 }, { x: 14, y: 12 }, { x: 4, y: 12 }], 1);
    expect(count(map, 1)).toBe(10 * 7);
    expect(at(map, 4, 5)).toBe(1);
    expect(at(map, 13, 11)).toBe(1);
    expect(at(map, 14, 11)).toBe(0);
    expect(at(map, 3, 5)).toBe(0);
  });

  it('fills a triangle with about half its bounding box', () => {
    const map = blank(100, 100);
    fillPolygon(map, [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 0, y: 100 }], 3);
    expect(Math.abs(count(map, 3) - 5000)).toBeLessThan(120);
  });
});

describe('fillHoles', () => {
  it('fills background enclosed by the region and leaves the outside alone', () => {
    const map = blank(10, 10);
    fillPolygon(map, [{ x: 2, y: 2 }, { x: 8, y: 2 }, { x: 8, y: 8 }, { x: 2, y: 8 }], 1);
    fillPolygon(map, [{ x: 4, y: 4 }, { x: 6, y: 4 }, { x: 6, y: 6 }, { x: 4, y: 6 }], 0);
    expect(count(map, 1)).toBe(36 - 4);
    expect(fillHoles(map, 1)).toBe(4);
    expect(count(map, 1)).toBe(36);
    expect(at(map, 0, 0)).toBe(0);
  });
});

describe('isEmptyMask', () => {
  it('is true only when every pixel is background', () => {
    expect(isEmptyMask(new Uint8Array(4))).toBe(true);
    expect(isEmptyMask(new Uint8Array([0, 0, 1]))).toBe(false);
  });
});
