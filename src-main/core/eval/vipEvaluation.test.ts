import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeGreyPng, writeIndexedPng } from '../formats/png.ts';
import { evaluateVip } from './vipEvaluation.ts';

const root = mkdtempSync(join(tmpdir(), 'vip-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('evaluateVip', () => {
  it('reads grey GT maps, resizes half-size predictions by nearest neighbour and pools all frames', () => {
    mkdirSync(join(root, 'Category_ids/v1'), { recursive: true });
    mkdirSync(join(root, 'results/v1'), { recursive: true });
    // GT 4×2: left half hair (2), right half face (13).
    const gt = Uint8Array.of(2, 2, 13, 13, 2, 2, 13, 13);
    writeFileSync(join(root, 'Category_ids/v1/0001.png'), encodeGreyPng(4, 2, gt));
    // Prediction 2×1 (half size): hair, hair → after resize the face half is predicted as hair.
    writeIndexedPng(join(root, 'results/v1/0001.png'), { width: 2, height: 1, indices: Uint8Array.of(2, 2) });
    const report = evaluateVip({ vipRoot: root, resultsDir: join(root, 'results'), videos: ['v1'] });
    // hair: tp 4, gt 4, predicted 8 → 0.5; face: tp 0, gt 4 → 0; other classes absent.
    expect(report.perClassIou.hair).toBe(0.5);
    expect(report.perClassIou.face).toBe(0);
    expect(report.perClassIou.hat).toBeNaN();
    expect(report.meanIou).toBe(0.25);
    expect(report.frameCount).toBe(1);
  });

  it('names the missing prediction', () => {
    mkdirSync(join(root, 'Category_ids/v2'), { recursive: true });
    writeFileSync(join(root, 'Category_ids/v2/0001.png'), encodeGreyPng(1, 1, Uint8Array.of(0)));
    expect(() => evaluateVip({ vipRoot: root, resultsDir: join(root, 'results'), videos: ['v2'] })).toThrow(/results\/v2\/0001\.png: prediction for GT frame v2\/0001\.png is missing/);
  });
});
