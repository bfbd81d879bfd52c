import { describe, expect, it } from 'vitest';
import { maskFromBitmap } from './binaryMask.ts';
import { boundaryMap, boundaryRegion } from './boundaryMap.ts';

function grid(rows: string[]): { data: Uint8Array; width: number; height: number } {
  const width = rows[0].length;
  return { data: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' || c === '1' ? 1 : 0)), width, height: rows.length };
}

function show(bitmap: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < bitmap.length; i += width) rows.push(Array.from(bitmap.subarray(i, i + width), (v) => (v ? '1' : '.')).join(''));
  return rows;
}

describe('boundaryMap (seg2bmap)', () => {
  it('marks pixels that differ from their east, south or south-east neighbour, half a pixel toward the origin', () => {
    const mask = grid(['.....', '.##..', '.##..', '.....', '.....']);
    expect(show(boundaryMap(mask.data, mask.width, mask.height), mask.width)).toEqual([
      '111..',
      '1.1..',
      '111..',
      '.....',
      '.....',
    ]);
  });

  it('compares the last row with east only, the last column with south only, and clears the corner', () => {
    const mask = grid(['...', '..#', '.##']);
    expect(show(boundaryMap(mask.data, mask.width, mask.height), mask.width)).toEqual(['.11', '11.', '1..']);
  });

  it('gives a mask covering the whole image no boundary, because the last row and column only look inside', () => {
    const mask = grid(['###', '###', '###']);
    expect(show(boundaryMap(mask.data, mask.width, mask.height), mask.width)).toEqual(['...', '...', '...']);
  });

  it('gives the same map when the scan is limited to the box grown up and left by one pixel', () => {
    let state = 11;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const [width, height, x0, y0, x1, y1] of [
      [30, 20, 5, 3, 12, 9],
      [30, 20, 0, 0, 29, 19],
      [30, 20, 20, 10, 29, 19],
      [17, 9, 0, 4, 6, 8],
    ]) {
      const bitmap = new Uint8Array(width * height);
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) bitmap[y * width + x] = random() < 0.5 ? 1 : 0;
      const mask = maskFromBitmap(bitmap, width, height);
      expect(Array.from(boundaryMap(bitmap, width, height, boundaryRegion(mask.box!)))).toEqual(Array.from(boundaryMap(bitmap, width, height)));
    }
  });
});
