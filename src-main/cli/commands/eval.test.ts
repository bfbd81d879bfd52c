import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeMatFile } from '../../core/formats/matFile.ts';
import { writeIndexedPng } from '../../core/formats/png.ts';
import { UsageError } from '../cliCommand.ts';
import { command } from './eval.ts';

const scratch = mkdtempSync(join(tmpdir(), 'eval-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the command, returning its exit code and the parsed last stdout line. */
async function run(argv: string[]): Promise<{ exitCode: number; result: Record<string, unknown> }> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const exitCode = await command.run(argv);
  const last = lines.join('').trim().split('\n').at(-1)!;
  return { exitCode, result: JSON.parse(last) };
}

/** A 6×4 square object moving one pixel per frame; `shift` moves the result away from the GT. */
function writeSequence(root: string, folder: string, frameCount: number, shift: number): void {
  mkdirSync(join(root, folder), { recursive: true });
  for (let frame = 0; frame < frameCount; frame++) {
    const indices = new Uint8Array(16 * 8);
    for (let y = 2; y < 6; y++) for (let x = 1 + frame + shift; x < 5 + frame + shift; x++) indices[y * 16 + x] = 1;
    writeIndexedPng(join(root, folder, `${String(frame).padStart(5, '0')}.png`), { width: 16, height: 8, indices });
  }
}

describe('correspond eval davis', () => {
  const root = join(scratch, 'davis');
  const results = join(scratch, 'results');
  writeSequence(root, 'Annotations/480p/perfect', 5, 0);
  writeSequence(results, 'perfect', 5, 0);
  writeSequence(root, 'Annotations/480p/shifted', 5, 0);
  writeSequence(results, 'shifted', 5, 2);
  mkdirSync(join(root, 'ImageSets/2017'), { recursive: true });
  writeFileSync(join(root, 'ImageSets/2017/val.txt'), 'perfect\n');

  it('scores the sequences of ImageSets/2017/val.txt by default and writes the three CSVs beside the results folder', async () => {
    const { exitCode, result } = await run(['davis', '--root', root, '--results', results]);
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ JF: 1, J: 1, F: 1, JRecall: 1, JDecay: 0, sequences: { perfect: { JF: 1, J: 1, F: 1 } } });
    expect(readFileSync(join(scratch, 'global_results-val.csv'), 'utf8')).toBe(
      'J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay\n1.000,1.000,1.000,0.000,1.000,1.000,0.000\n',
    );
    expect(readFileSync(join(scratch, 'per-sequence_results-val.csv'), 'utf8')).toBe('Sequence,J-Mean,F-Mean\nperfect_1,1.000,1.000\n');
    expect(readFileSync(join(scratch, 'per-frame_results-val.csv'), 'utf8').split('\n')[1]).toBe('perfect,1,00001,1,1');
    // The results folder keeps only its sequence folders (it may be an export's Annotations/480p).
    expect(readdirSync(results).sort()).toEqual(['perfect', 'shifted']);
  });

  it('writes the CSVs where --out says, creating the folder', async () => {
    const out = join(scratch, 'scores', 'run-1');
    const { exitCode } = await run(['davis', '--root', root, '--results', results, '--out', out]);
    expect(exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['global_results-val.csv', 'per-frame_results-val.csv', 'per-sequence_results-val.csv']);
    expect(readdirSync(results).sort()).toEqual(['perfect', 'shifted']);
  });

  it('takes an explicit --sequences list and weights objects equally', async () => {
    const { result } = await run(['davis', '--root', root, '--results', results, '--sequences', 'perfect,shifted']);
    // shifted: a 4×4 square two pixels off → J = 8/24 every frame.
    const sequences = result.sequences as Record<string, { J: number }>;
    expect(sequences.shifted.J).toBeCloseTo(1 / 3, 12);
    expect(result.J as number).toBeCloseTo((1 + 1 / 3) / 2, 12);
  });

  it('names the missing result file', async () => {
    rmSync(join(results, 'shifted/00002.png'));
    await expect(run(['davis', '--root', root, '--results', results, '--sequences', 'shifted'])).rejects.toThrow(/shifted\/00002\.png: result frame 00002/);
  });

  it('rejects an unknown benchmark as a usage error', async () => {
    await expect(command.run(['kitti'])).rejects.toThrow(UsageError);
  });
});

describe('correspond eval jhmdb', () => {
  it('prints PCK at 0.1..0.5 for a results file', async () => {
    const root = join(scratch, 'jhmdb');
    mkdirSync(join(root, 'joint_positions/wave/clip'), { recursive: true });
    // Joint j at 0-based (4j, 2j) in 3 frames; the prediction is exact except joint 0, 5 px off in frames 1 and 2.
    const positions = new Float64Array(2 * 15 * 3);
    for (let frame = 0; frame < 3; frame++) for (let j = 0; j < 15; j++) positions.set([4 * j + 1, 2 * j + 1], (frame * 15 + j) * 2);
    writeMatFile(join(root, 'joint_positions/wave/clip/joint_positions.mat'), [{ name: 'pos_img', dims: [2, 15, 3], data: positions }]);
    const keypoints = [0, 1, 2].map((frame) => Array.from({ length: 15 }, (_, j) => [4 * j + (j === 0 && frame > 0 ? 5 : 0), 2 * j]));
    const resultsFile = join(scratch, 'keypoints.json');
    writeFileSync(resultsFile, JSON.stringify({ videos: { 'wave/clip': { width: 64, height: 32, keypoints } } }));
    const { exitCode, result } = await run(['jhmdb', '--root', root, '--results', resultsFile]);
    expect(exitCode).toBe(0);
    // box = 0.6·|(56, 28)| ≈ 37.57 → joint 0 is 0.133 box off: wrong at 0.1 only, so PCK@0.1 = 14/15 of 100.
    expect(result['PCK@0.1'] as number).toBeCloseTo(1400 / 15, 10);
    expect(result).toMatchObject({ 'PCK@0.2': 100, 'PCK@0.3': 100, 'PCK@0.4': 100, 'PCK@0.5': 100, videos: 1 });
  });
});

describe('correspond eval vip', () => {
  it('prints the mIoU over the videos found in the results folder', async () => {
    const root = join(scratch, 'vip');
    mkdirSync(join(root, 'Category_ids/clip'), { recursive: true });
    mkdirSync(join(root, 'results/clip'), { recursive: true });
    writeIndexedPng(join(root, 'Category_ids/clip/1.png'), { width: 2, height: 1, indices: Uint8Array.of(0, 13) });
    writeIndexedPng(join(root, 'results/clip/1.png'), { width: 2, height: 1, indices: Uint8Array.of(0, 0) });
    const { exitCode, result } = await run(['vip', '--root', root, '--results', join(root, 'results')]);
    expect(exitCode).toBe(0);
    // background: tp 1, gt 1, predicted 2 → 0.5; face: 0 → mIoU 0.25; absent classes are null in JSON.
    expect(result).toMatchObject({ mIoU: 0.25, videos: 1, frames: 1 });
    expect((result.perClass as Record<string, number | null>).hat).toBeNull();
  });
});
