import { describe, expect, it } from 'vitest';
import { boundaryMap } from './boundaryMap.ts';

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
});
