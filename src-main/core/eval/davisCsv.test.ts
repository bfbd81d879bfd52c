import { describe, expect, it } from 'vitest';
import { formatThreeDecimals, globalCsv, perFrameCsv, perSequenceCsv } from './davisCsv.ts';
import { type DavisObjectResult, summariseDavis } from './davisEvaluation.ts';

function object(sequence: string, objectId: number, jValues: number[], fValues: number[]): DavisObjectResult {
  const stats = (values: number[]) => ({ mean: values.reduce((a, b) => a + b, 0) / values.length, recall: 1, decay: 0 });
  return {
    sequence,
    objectId,
    name: `${sequence}_${objectId}`,
    frameNames: jValues.map((_, i) => String(i + 1).padStart(5, '0')),
    jPerFrame: Float64Array.from(jValues),
    fPerFrame: Float64Array.from(fValues),
    j: stats(jValues),
    f: stats(fValues),
  };
}

describe('formatThreeDecimals', () => {
  it("rounds like Python's '%.3f', including half-to-even on exact binary ties", () => {
    expect(formatThreeDecimals(0.78146133)).toBe('0.781');
    expect(formatThreeDecimals(0.0625)).toBe('0.062');
    expect(formatThreeDecimals(0.1875)).toBe('0.188');
    expect(formatThreeDecimals(-0.0625)).toBe('-0.062');
    expect(formatThreeDecimals(-0.00041)).toBe('-0.000');
    expect(formatThreeDecimals(Number.NaN)).toBe('');
  });
});

describe('DAVIS summary and CSVs', () => {
  const report = summariseDavis([object('a', 1, [1, 0.5], [1, 1]), object('a', 2, [0, 0.5], [0.5, 0.5]), object('b', 1, [0.25, 0.25], [0, 0])]);

  it('weights every object equally in the global numbers and averages objects per sequence', () => {
    expect(report.global.J).toBeCloseTo((0.75 + 0.25 + 0.25) / 3, 15);
    expect(report.global.F).toBeCloseTo((1 + 0.5 + 0) / 3, 15);
    expect(report.global.JF).toBeCloseTo((report.global.J + report.global.F) / 2, 15);
    expect(report.sequences.a).toEqual({ J: 0.5, F: 0.75, JF: 0.625 });
    expect(report.sequences.b).toEqual({ J: 0.25, F: 0, JF: 0.125 });
  });

  it('writes the official global and per-object tables with 3 decimals and our per-frame table in full', () => {
    expect(globalCsv(report)).toBe('J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay\n0.458,0.417,1.000,0.000,0.500,1.000,0.000\n');
    expect(perSequenceCsv(report)).toBe('Sequence,J-Mean,F-Mean\na_1,0.750,1.000\na_2,0.250,0.500\nb_1,0.250,0.000\n');
    expect(perFrameCsv(report).split('\n').slice(0, 3)).toEqual(['Sequence,Object,Frame,J,F', 'a,1,00001,1,1', 'a,1,00002,0.5,1']);
  });
});
