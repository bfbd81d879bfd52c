import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DavisReport, evaluateDavis } from './davisEvaluation.ts';

const sharedData = process.env.CORRESPOND_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const fixture = join(sharedData, 'reference/metrics');
const davisRoot = join(sharedData, 'davis2016-dev');

interface Expected {
  sequences: string[];
  global_: Record<'JF_mean' | 'J_mean' | 'J_recall' | 'J_decay' | 'F_mean' | 'F_recall' | 'F_decay', number>;
  per_object: Record<string, Record<'J' | 'F', Record<'M' | 'R' | 'D', number>>>;
  per_frame: Record<string, { frames: string[]; J: number[]; F: number[] }>;
}

describe.skipIf(!existsSync(join(fixture, 'expected.json')) || !existsSync(davisRoot))(
  'DAVIS J&F conformance with the official evaluator (skipped: ../shared/data/reference/metrics or davis2016-dev absent)',
  () => {
    // Read in beforeAll: a skipped describe still runs its body to collect tests.
    let expected: Expected;
    let report: DavisReport;
    beforeAll(() => {
      expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Expected;
      report = evaluateDavis({ davisRoot, resultsDir: join(fixture, 'osvos'), sequences: expected.sequences });
    });
    const tolerance = 1e-6;

    it('reproduces every global number of expected.json to 1e-6', () => {
      const g = expected.global_;
      const pairs: Array<[number, number]> = [
        [report.global.JF, g.JF_mean],
        [report.global.J, g.J_mean],
        [report.global.JRecall, g.J_recall],
        [report.global.JDecay, g.J_decay],
        [report.global.F, g.F_mean],
        [report.global.FRecall, g.F_recall],
        [report.global.FDecay, g.F_decay],
      ];
      for (const [ours, theirs] of pairs) expect(Math.abs(ours - theirs)).toBeLessThan(tolerance);
    });

    it('reproduces every per-object mean, recall and decay to 1e-6', () => {
      expect(report.objects.map((o) => o.name).sort()).toEqual(Object.keys(expected.per_object).sort());
      for (const object of report.objects) {
        const theirs = expected.per_object[object.name];
        for (const [ours, reference] of [
          [object.j, theirs.J],
          [object.f, theirs.F],
        ] as const) {
          expect(Math.abs(ours.mean - reference.M), `${object.name} mean`).toBeLessThan(tolerance);
          expect(Math.abs(ours.recall - reference.R), `${object.name} recall`).toBeLessThan(tolerance);
          expect(Math.abs(ours.decay - reference.D), `${object.name} decay`).toBeLessThan(tolerance);
        }
      }
    });

    it('reproduces every per-frame J and F to 1e-6 on the same frame ids', () => {
      let compared = 0;
      for (const object of report.objects) {
        const theirs = expected.per_frame[object.name];
        expect(object.frameNames).toEqual(theirs.frames);
        theirs.J.forEach((value, i) => expect(Math.abs(object.jPerFrame[i] - value), `${object.name} J ${theirs.frames[i]}`).toBeLessThan(tolerance));
        theirs.F.forEach((value, i) => expect(Math.abs(object.fPerFrame[i] - value), `${object.name} F ${theirs.frames[i]}`).toBeLessThan(tolerance));
        compared += theirs.J.length;
      }
      expect(compared).toBeGreaterThan(200);
    });
  },
);
