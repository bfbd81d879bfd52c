import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStdout } from '../capturedOutput.ts';
import { readMatFile, writeMatFile } from '../../core/formats/matFile.ts';
import { sharedDataDir } from '../../../tests/support/testData.ts';
import { command } from './propagatePose.ts';

const video = 'catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2';
const sample = join(sharedDataDir, 'jhmdb-sample');
const frames = join(sample, 'Rename_Images', video);
const mat = join(sample, 'joint_positions', video, 'joint_positions.mat');

describe.skipIf(!existsSync(frames) || !existsSync(mat))('correspond propagate-pose (skipped: ../shared/data/jhmdb-sample absent)', () => {
  captureStdout();

  it('writes T×15 keypoints in frame pixels, frame 0 within a feature cell of the annotation', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pose-')), 'pose.json');
    expect(await command.run(['--frames', frames, '--mat', mat, '--out', out, '--threads', '2'])).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { videos: Record<string, { width: number; height: number; keypoints: number[][][] }> };
    const entry = result.videos[video];
    expect([entry.width, entry.height]).toEqual([320, 240]);
    expect(entry.keypoints.length).toBe(40);
    expect(entry.keypoints.every((frame) => frame.length === 15)).toBe(true);
    const positions = readMatFile(mat).get('pos_img')!;
    entry.keypoints[0].forEach(([x, y], j) => {
      // One cell is 8 px wide and 6 px high here (320/40, 240/40); the top-3 decode lands within about a cell.
      expect(Math.abs(x - (positions.data[2 * j] - 1))).toBeLessThan(10);
      expect(Math.abs(y - (positions.data[2 * j + 1] - 1))).toBeLessThan(10);
    });
  }, 600_000);
});

describe('correspond propagate-pose with another skeleton', () => {
  captureStdout();

  it('takes the joint count from its input: a 5-joint animal gives T×5 keypoints', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pose-5-'));
    const clip = join(folder, 'mouse.mkv');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=10:d=0.3', '-c:v', 'ffv1', clip]);
    // pos_img 2×5×2, 1-based: x at [0, j, t], y at [1, j, t] (column-major).
    const joints = [[10, 10], [20, 12], [30, 20], [40, 30], [50, 40]];
    const data = Float64Array.from([...joints.flat(), ...joints.flat()]);
    const mat = join(folder, 'joint_positions.mat');
    writeMatFile(mat, [{ name: 'pos_img', dims: [2, 5, 2], data }]);
    const out = join(folder, 'pose.json');
    expect(await command.run(['--frames', clip, '--mat', mat, '--out', out, '--stream', 'pixels', '--size', '64', '--threads', '1'])).toBe(0);
    const entry = Object.values((JSON.parse(readFileSync(out, 'utf8')) as { videos: Record<string, { keypoints: number[][][] }> }).videos)[0]!;
    expect(entry.keypoints.length).toBe(3);
    expect(entry.keypoints.every((frame) => frame.length === 5)).toBe(true);
  }, 120_000);
});
