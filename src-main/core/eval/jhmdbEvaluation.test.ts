import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMatFile, writeMatFile } from '../formats/matFile.ts';
import { evaluateJhmdbResults, parseJhmdbResults } from './jhmdbEvaluation.ts';

const sharedData = process.env.CORRESPOND_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const sampleRoot = join(sharedData, 'jhmdb-sample');
const sampleKey = 'catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2';
const scratch = mkdtempSync(join(tmpdir(), 'jhmdb-eval-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeResults(name: string, videos: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify({ videos }));
  return file;
}

describe('evaluateJhmdbResults', () => {
  it('scores a synthetic video whose joint errors are known fractions of the box', () => {
    const root = join(scratch, 'synthetic');
    mkdirSync(join(root, 'joint_positions/run/clip'), { recursive: true });
    // pos_img is 1-based: joint j sits at 0-based (2j, 2j) in both frames → box = 0.6·28·√2.
    const gt = new Float64Array(2 * 15 * 2);
    for (let frame = 0; frame < 2; frame++) for (let j = 0; j < 15; j++) gt.set([2 * j + 1, 2 * j + 1], (frame * 15 + j) * 2);
    writeMatFile(join(root, 'joint_positions/run/clip/joint_positions.mat'), [{ name: 'pos_img', dims: [2, 15, 2], data: gt }], { compress: true });
    const box = 0.6 * 28 * Math.SQRT2;
    const errorFraction = (j: number) => (j < 5 ? 0.05 : j < 10 ? 0.15 : 0.45);
    const keypoints = [0, 1].map((frame) =>
      Array.from({ length: 15 }, (_, j) => [2 * j + (frame === 1 ? errorFraction(j) * box : 0), 2 * j]),
    );
    const report = evaluateJhmdbResults({ jhmdbRoot: root, resultsFile: writeResults('synthetic.json', { 'run/clip': { width: 64, height: 64, keypoints } }) });
    expect(report.videoCount).toBe(1);
    expect(report.scoredFrameCount).toBe(1);
    // @0.1: joints 0–4 correct; @0.2–0.4: joints 0–9; @0.5: all.
    report.pck.forEach((value, i) => expect(value).toBeCloseTo([100 / 3, 200 / 3, 200 / 3, 200 / 3, 100][i], 10));
  });

  it('refuses malformed results, naming the file and the video', () => {
    expect(() => parseJhmdbResults('{', 'r.json')).toThrow(/^r\.json: not valid JSON/);
    expect(() => parseJhmdbResults('{"videos": {"a/b": {"width": 3, "height": 2, "keypoints": [[[0, 0]]]}}}', 'r.json')).toThrow(
      /r\.json: video "a\/b": frame 0 must hold 15/,
    );
    expect(() => parseJhmdbResults('{"videos": {"../b": {"width": 3, "height": 2, "keypoints": []}}}', 'r.json')).toThrow(/"<class>\/<video>"/);
  });

  describe.skipIf(!existsSync(sampleRoot))('on the JHMDB sample (skipped: ../shared/data/jhmdb-sample absent)', () => {
    // Read in beforeAll: a skipped describe still runs its body to collect tests.
    let frameCount: number;
    let gtKeypoints: number[][][];
    beforeAll(() => {
      const pos = readMatFile(join(sampleRoot, 'joint_positions', sampleKey, 'joint_positions.mat')).get('pos_img')!;
      frameCount = pos.dims[2];
      gtKeypoints = Array.from({ length: frameCount }, (_, frame) =>
        Array.from({ length: 15 }, (_, j) => [pos.data[(frame * 15 + j) * 2] - 1, pos.data[(frame * 15 + j) * 2 + 1] - 1]),
      );
    });

    it('gives 100 at every threshold when the prediction is the ground truth', () => {
      const file = writeResults('perfect.json', { [sampleKey]: { width: 320, height: 240, keypoints: gtKeypoints } });
      const report = evaluateJhmdbResults({ jhmdbRoot: sampleRoot, resultsFile: file });
      expect(report.pck).toEqual([100, 100, 100, 100, 100]);
      expect(report.scoredFrameCount).toBe(frameCount - 1);
    });

    it('refuses a frame size that disagrees with 00001.png and a wrong frame count', () => {
      const wrongSize = writeResults('size.json', { [sampleKey]: { width: 40, height: 40, keypoints: gtKeypoints } });
      expect(() => evaluateJhmdbResults({ jhmdbRoot: sampleRoot, resultsFile: wrongSize })).toThrow(/40×40 in the results but .*00001\.png is 320×240/);
      const short = writeResults('short.json', { [sampleKey]: { width: 320, height: 240, keypoints: gtKeypoints.slice(1) } });
      expect(() => evaluateJhmdbResults({ jhmdbRoot: sampleRoot, resultsFile: short })).toThrow(/has 39 frames of keypoints, the ground truth has 40/);
    });
  });
});
