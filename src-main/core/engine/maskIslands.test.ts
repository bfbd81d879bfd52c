import { describe, expect, it } from 'vitest';
import { labelComponents, removeSmallIslands } from './maskIslands.ts';

/** Rows of digits → labels. */
function grid(rows: string[]): { values: Uint8Array; width: number; height: number } {
  const width = rows[0].length;
  return { values: Uint8Array.from(rows.join('').split('').map(Number)), width, height: rows.length };
}

function rows(values: Uint8Array, width: number): string[] {
  const out: string[] = [];
  for (let y = 0; y < values.length / width; y++) out.push(Array.from(values.subarray(y * width, (y + 1) * width)).join(''));
  return out;
}

describe('labelComponents', () => {
  it('joins pixels of equal value through edges and corners, and keeps different values apart', () => {
    const { values, width, height } = grid(['1100', '0012', '0002']);
    const { component, sizes, valueOf } = labelComponents(values, width, height);
    expect(sizes).toEqual([3, 2]);
    expect(valueOf).toEqual([1, 2]);
    expect(component[0]).toBe(component[6]);
    expect(component[4]).toBe(-1);
  });
});

describe('removeSmallIslands', () => {
  it('removes specks under the size and keeps the object and larger regions', () => {
    const mask = grid([
      '1110000001',
      '1110000000',
      '1110001100',
      '0000001100',
      '0100000000',
    ]);
    const result = removeSmallIslands(mask.values, mask.width, mask.height, 3);
    expect(rows(result.values, mask.width)).toEqual([
      '1110000000',
      '1110000000',
      '1110001100',
      '0000001100',
      '0000000000',
    ]);
    expect(result).toMatchObject({ islands: 2, pixels: 2 });
    // The input stays as it was.
    expect(mask.values[9]).toBe(1);
  });

  it('never removes the largest region of a label, however small', () => {
    const mask = grid(['0000', '0110', '0000', '0001']);
    const result = removeSmallIslands(mask.values, mask.width, mask.height, 100);
    expect(rows(result.values, mask.width)).toEqual(['0000', '0110', '0000', '0000']);
    expect(result.islands).toBe(1);
  });

  it('gives a removed part-class island the class around it', () => {
    const parts = grid(['22222', '22322', '22222', '33333', '33333']);
    const result = removeSmallIslands(parts.values, parts.width, parts.height, 2);
    expect(rows(result.values, parts.width)).toEqual(['22222', '22222', '22222', '33333', '33333']);
    expect(result).toMatchObject({ islands: 1, pixels: 1 });
  });

  it('changes nothing when there is no island under the size', () => {
    const mask = grid(['110', '110', '000']);
    expect(removeSmallIslands(mask.values, mask.width, mask.height, 2)).toMatchObject({ islands: 0, pixels: 0 });
  });
});
