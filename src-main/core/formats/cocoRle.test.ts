import { describe, expect, it } from 'vitest';
import { countsFromString, countsToString, decodeCocoRle, encodeCocoRle, rleArea, rleBbox } from './cocoRle.ts';
import { rectangle } from '../../../tests/support/formatTestData.ts';

/** A square mask[r0:r1, r0:r1] = 1 of a size×size image. */
const square = (size: number, r0: number, r1: number) => rectangle(size, size, r0, r0, r1, r1);

describe('COCO RLE (pycocotools-compatible)', () => {
  it('encodes column-major counts starting with the 0-run', () => {
    // 2×3 (h=2, w=3) mask rows [1,0,1],[1,1,0]: column-major 1,1,0,1,1,0 → counts [0,2,1,2,1].
    expect(encodeCocoRle(Uint8Array.of(1, 0, 1, 1, 1, 0), 3, 2)).toEqual({ size: [2, 3], counts: [0, 2, 1, 2, 1] });
    expect(encodeCocoRle(new Uint8Array(6), 3, 2).counts).toEqual([6]);
  });

  it('matches the compressed strings pycocotools gives for known masks', () => {
    // Published pycocotools outputs for 25×25 masks with mask[a:b, a:b] = 1, and rleToString of [5,2,2,2,5].
    expect(countsToString(encodeCocoRle(square(25, 0, 5), 25, 25).counts)).toBe('05d00000000d?');
    expect(countsToString(encodeCocoRle(square(25, 5, 10), 25, 25).counts)).toBe('R45d00000000b;');
    expect(countsToString([5, 2, 2, 2, 5])).toBe('52203');
    expect(countsToString([768])).toBe('Ph0');
    expect(countsToString([1, 2, 3, 1])).toBe('123O'); // the 4th count is stored as 1 − 2 = −1
  });

  it('decodes strings back to the same counts, including negative differences, leading zeros and long numbers', () => {
    for (const counts of [[0, 5, 20, 5, 20, 5, 20, 5, 20, 5, 520], [1, 2, 3, 1], [0, 0, 0, 7, 3], [2 ** 29, 5, 2 ** 29 + 3, 1], [640 * 480]]) {
      expect(countsFromString(countsToString(counts))).toEqual(counts);
    }
    expect(() => countsFromString('0d')).toThrow(/ends inside a number/);
    expect(() => countsFromString('0 1')).toThrow(/not in the counts alphabet/);
  });

  it('round-trips random masks through counts and strings', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 50; trial++) {
      const width = 1 + Math.floor(random() * 40);
      const height = 1 + Math.floor(random() * 30);
      const density = random();
      const mask = Uint8Array.from({ length: width * height }, () => (random() < density ? 1 : 0));
      const rle = encodeCocoRle(mask, width, height);
      const back = decodeCocoRle({ size: rle.size, counts: countsFromString(countsToString(rle.counts)) });
      expect(Buffer.compare(back, mask)).toBe(0);
      expect(rleArea(rle.counts)).toBe(mask.reduce((a, b) => a + b, 0));
    }
  });

  it('computes area and bbox as pycocotools toBbox', () => {
    // pycocotools' own test cases: [[0,1],[1,1]] → [0,0,2,2]; 10×10 with mask[2:4, 3:6] = 1 → [3,2,3,2].
    expect(rleBbox(encodeCocoRle(Uint8Array.of(0, 1, 1, 1), 2, 2))).toEqual([0, 0, 2, 2]);
    expect(rleBbox(encodeCocoRle(rectangle(10, 10, 3, 2, 6, 4), 10, 10))).toEqual([3, 2, 3, 2]);
    expect(rleBbox(encodeCocoRle(new Uint8Array(12), 4, 3))).toEqual([0, 0, 0, 0]);
    // A run wrapping from the bottom of one column into the top of the next spans the full height.
    const wrap = new Uint8Array(5 * 5);
    wrap[4 * 5 + 0] = 1;
    wrap[0 * 5 + 1] = 1;
    expect(rleBbox(encodeCocoRle(wrap, 5, 5))).toEqual([0, 0, 2, 5]);
    expect(rleArea([3, 4, 2, 6])).toBe(10);
  });

  it('refuses counts that do not cover the mask', () => {
    expect(() => decodeCocoRle({ size: [2, 2], counts: [1, 2] })).toThrow(/cover 3 of 4/);
    expect(() => decodeCocoRle({ size: [2, 2], counts: [3, 2] })).toThrow(/more than 2×2/);
  });
});
