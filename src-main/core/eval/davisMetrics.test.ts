import { describe, expect, it } from 'vitest';
import { type BinaryMask, maskFromBitmap } from './binaryMask.ts';
import { boundRadiusPx, boundaryFMeasure, jaccard } from './davisMetrics.ts';

const width = 20;
const height = 10;

/** 20×10 mask with columns 0..lastColumn set on every row. */
function leftBlock(lastColumn: number, extraPixel?: [number, number]): BinaryMask {
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) mask.fill(1, y * width, y * width + lastColumn + 1);
  if (extraPixel) mask[extraPixel[1] * width + extraPixel[0]] = 1;
  return maskFromBitmap(mask, width, height);
}
const empty = maskFromBitmap(new Uint8Array(width * height), width, height);

describe('jaccard (db_eval_iou)', () => {
  it('divides intersection by union', () => {
    expect(jaccard(leftBlock(4), leftBlock(4, [15, 5]))).toBeCloseTo(50 / 51, 15);
  });

  it('scores an empty union as 1', () => {
    expect(jaccard(empty, empty)).toBe(1);
  });

  it('scores disjoint masks as 0', () => {
    expect(jaccard(maskFromBitmap(Uint8Array.of(1, 0), 2, 1), maskFromBitmap(Uint8Array.of(0, 1), 2, 1))).toBe(0);
  });
});

describe('boundRadiusPx', () => {
  it('is ceil(0.008 × diagonal) for fractional thresholds and the threshold itself from 1 up', () => {
    expect(boundRadiusPx(854, 480)).toBe(8);
    expect(boundRadiusPx(320, 240)).toBe(4);
    expect(boundRadiusPx(854, 480, 3)).toBe(3);
  });
});

describe('boundaryFMeasure (f_measure)', () => {
  it('matches boundaries within the tolerance and misses them beyond it', () => {
    // Boundaries are the columns x=4 and x=6: two pixels apart.
    expect(boundaryFMeasure(leftBlock(6), leftBlock(4), 2)).toBe(1);
    expect(boundaryFMeasure(leftBlock(6), leftBlock(4), 1)).toBe(0);
  });

  it('counts far-away result boundary pixels against precision only', () => {
    // The extra pixel adds 4 boundary pixels, (15,5), (14,5), (15,4) and (14,4): P = 10/14, R = 10/10, F = 5/6.
    expect(boundaryFMeasure(leftBlock(4, [15, 5]), leftBlock(4), 2)).toBeCloseTo(5 / 6, 15);
  });

  it('follows the reference for empty boundaries: both empty → 1, one empty → 0', () => {
    expect(boundaryFMeasure(empty, empty)).toBe(1);
    expect(boundaryFMeasure(empty, leftBlock(4))).toBe(0);
    expect(boundaryFMeasure(leftBlock(4), empty)).toBe(0);
  });
});
