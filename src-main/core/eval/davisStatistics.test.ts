import { describe, expect, it } from 'vitest';
import { davisStatistics, decayBinEdges } from './davisStatistics.ts';

describe('decayBinEdges', () => {
  it('rounds linspace(1, n, 5) half up, not half to even', () => {
    // linspace(1, 7, 5) = 1, 2.5, 4, 5.5, 7 → 1, 3, 4, 6, 7 → minus 1
    expect(decayBinEdges(7)).toEqual([0, 2, 3, 5, 6]);
    expect(decayBinEdges(48)).toEqual([0, 12, 24, 35, 47]);
  });

  it('wraps indices above 255 like the uint8 cast of the reference', () => {
    expect(decayBinEdges(300)).toEqual([0, 75, 150, 224, 43]);
  });
});

describe('davisStatistics (db_statistics)', () => {
  it('computes mean, strict recall and decay over overlapping inclusive bins', () => {
    const values = [1, 1, 0.4, 0.5, 0.6, 0.2, 0];
    const stats = davisStatistics(values);
    expect(stats.mean).toBeCloseTo(3.7 / 7, 15);
    expect(stats.recall).toBeCloseTo(3 / 7, 15); // 0.5 itself is not above 0.5
    // first bin values[0..2] (inclusive end) = 0.8, last bin values[5..6] = 0.1
    expect(stats.decay).toBeCloseTo(0.7, 14);
  });

  it('ignores NaN in means but counts it as a frame not above 0.5', () => {
    const stats = davisStatistics([Number.NaN, 1, 0]);
    expect(stats.mean).toBe(0.5);
    expect(stats.recall).toBeCloseTo(1 / 3, 15);
    expect(stats.decay).toBe(1); // bins values[0..1] and values[2..2]
  });
});
