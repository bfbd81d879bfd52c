import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureStdout } from '../capturedOutput.ts';
import { UsageError } from '../cliCommand.ts';
import { readIndexedPng, writeIndexedPng } from '../../core/formats/png.ts';
import { CLIP_HEIGHT, CLIP_WIDTH, makeColourClip } from '../../../tests/support/testClips.ts';
import { propagationReferenceDir } from '../../../tests/support/testData.ts';
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
  const printed = captureStdout();

  it('needs --frames unless --features is given', async () => {
    await expect(command.run(['--labels', 'x.png', '--out', 'o'])).rejects.toBeInstanceOf(UsageError);
  });

  describe('on a generated clip with the default stream', () => {
    const folder = mkdtempSync(join(tmpdir(), 'propagate-default-'));
    const clip = makeColourClip(folder, 'mkv', { name: 'clip', frames: 6 });
    const labels = join(folder, 'first.png');
    const indices = new Uint8Array(CLIP_WIDTH * CLIP_HEIGHT);
    for (let y = 8; y < 32; y++) for (let x = 16; x < 40; x++) indices[y * CLIP_WIDTH + x] = 1;
    writeIndexedPng(labels, { width: CLIP_WIDTH, height: CLIP_HEIGHT, indices });

    it('names an unknown stream', async () => {
      await expect(command.run(['--frames', clip, '--labels', labels, '--out', join(folder, 'x'), '--stream', 'resnet'])).rejects.toThrow(/resnet.*no such model file/);
    });

    it('runs the default fusion (semantic default + shipped FC), caches its features, and gives the same masks from the cache', async () => {
      const cache = join(folder, 'cache');
      const run = async (out: string) => {
        expect(await command.run(['--frames', clip, '--labels', labels, '--out', out, '--cache', cache, '--threads', '1'])).toBe(0);
        return JSON.parse(printed.at(-1)!) as { stream: string; streamDescription: string; device: string; cache: { hits: number; misses: number } };
      };
      const first = await run(join(folder, 'a'));
      expect(first.stream).toBe('default+fc@1.75');
      expect(first.streamDescription).toMatch(/^default \(hypercolumn \(mobilenetv2-hypercolumn, 128 ch\) \+ 0\.5·pixels \(48 ch\)\) \+ 1\.75·fc \(shipped fine-grained \w+/);
      expect(first.device).toMatch(/CPU|CUDA/);
      expect(first.cache).toMatchObject({ hits: 0, misses: 6 });
      const second = await run(join(folder, 'b'));
      expect(second.cache).toMatchObject({ hits: 6, misses: 0 });
      for (const name of readdirSync(join(folder, 'a'))) {
        expect(readIndexedPng(join(folder, 'b', name)).indices).toEqual(readIndexedPng(join(folder, 'a', name)).indices);
      }
      // Frame 0 is the annotation through the stride-8 grid and back (SPEC §2.7): the square, edges aside.
      const frame0 = readIndexedPng(join(folder, 'a', '00000.png')).indices;
      let both = 0;
      let either = 0;
      for (let i = 0; i < indices.length; i++) {
        both += Number(frame0[i] === 1 && indices[i] === 1);
        either += Number(frame0[i] === 1 || indices[i] === 1);
      }
      expect(both / either).toBeGreaterThan(0.8);
    }, 120_000);
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
