import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../cliCommand.ts';
import { readIndexedPng } from '../../core/formats/png.ts';
import { propagationReferenceDir } from '../../core/engine/testData.ts';
import { command } from './propagate.ts';

const sequences = existsSync(propagationReferenceDir) ? readdirSync(propagationReferenceDir).filter((name) => existsSync(join(propagationReferenceDir, name, 'first.png'))) : [];

function differingPixels(outDir: string, referenceDir: string, frameCount: number): number[] {
  return Array.from({ length: frameCount }, (_, t) => {
    const name = `${String(t).padStart(5, '0')}.png`;
    const ours = readIndexedPng(join(outDir, name)).indices;
    const reference = readIndexedPng(join(referenceDir, 'masks', name)).indices;
    let count = 0;
    for (let i = 0; i < ours.length; i++) if (ours[i] !== reference[i]) count++;
    return count;
  });
}

describe('correspond propagate', () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('refuses streams other than pixels for now', async () => {
    await expect(command.run(['--frames', '.', '--labels', 'x.png', '--out', 'o', '--stream', 'resnet'])).rejects.toBeInstanceOf(UsageError);
  });

  describe.skipIf(sequences.length === 0)('on the reference fixtures (skipped: ../shared/data/reference/propagation absent)', () => {
    for (const sequence of sequences) {
      const dir = join(propagationReferenceDir, sequence);
      const frameCount = readdirSync(join(dir, 'masks')).length;

      it(`reproduces ${sequence} with 0 differing pixels from features_l2.npy and prints a JSON result line`, async () => {
        const out = mkdtempSync(join(tmpdir(), 'propagate-npy-'));
        const code = await command.run(['--features', join(dir, 'features_l2.npy'), '--labels', join(dir, 'first.png'), '--out', out, '--threads', '2']);
        expect(code).toBe(0);
        expect(differingPixels(out, dir, frameCount)).toEqual(new Array(frameCount).fill(0));
        const result = JSON.parse(printed.at(-1)!) as { frames: number; msPerFrame: number; out: string };
        expect(result.frames).toBe(frameCount);
        expect(result.out).toBe(out);
      }, 900_000);

      it(`agrees with the ${sequence} reference masks on ≥ 99.9% of pixels with the pixels stream on the JPEGs`, async () => {
        const out = mkdtempSync(join(tmpdir(), 'propagate-pixels-'));
        const code = await command.run(['--frames', join(dir, 'frames'), '--labels', join(dir, 'first.png'), '--out', out, '--stream', 'pixels', '--threads', '2']);
        expect(code).toBe(0);
        const first = readIndexedPng(join(dir, 'first.png'));
        const total = differingPixels(out, dir, frameCount).reduce((a, b) => a + b, 0);
        expect(1 - total / (frameCount * first.width * first.height)).toBeGreaterThanOrEqual(0.999);
      }, 900_000);
    }
  });
});
