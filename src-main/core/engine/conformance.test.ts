import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIndexedPng } from '../formats/png.ts';
import { createKernelRunner } from './kernelRunners.ts';
import { decodePrediction, encodeLabelMap } from './labelEncoding.ts';
import { readNpy } from './npy.ts';
import { propagateFromFirstFrame } from './propagationSession.ts';
import { propagationReferenceDir } from '../../../tests/support/testData.ts';

const sequences = existsSync(propagationReferenceDir)
  ? readdirSync(propagationReferenceDir).filter((name) => existsSync(join(propagationReferenceDir, name, 'features_l2.npy')))
  : [];

describe.skipIf(sequences.length === 0)('reference conformance (skipped: ../shared/data/reference/propagation absent)', () => {
  for (const [sequence, kernel] of sequences.flatMap((name) => (['js', 'gemm'] as const).map((kind) => [name, kind] as const))) {
    it(`reproduces every reference mask of ${sequence} with 0 differing pixels (${kernel} kernel)`, async () => {
      const dir = join(propagationReferenceDir, sequence);
      const features = readNpy(join(dir, 'features_l2.npy'));
      const [channels, frameCount, height, width] = features.shape;
      const data = features.data as Float32Array;
      const first = readIndexedPng(join(dir, 'first.png'));
      const { labelSet, labels } = encodeLabelMap(first);
      const frame = (t: number) => {
        const out = new Float32Array(channels * height * width);
        for (let c = 0; c < channels; c++) out.set(data.subarray((c * frameCount + t) * height * width, (c * frameCount + t + 1) * height * width), c * height * width);
        return { channels, height, width, data: out };
      };
      const differing: number[] = [];
      const runner = createKernelRunner({ threads: 2, kind: kernel });
      await propagateFromFirstFrame({
        runner,
        frameCount,
        features: frame,
        firstLabels: labels,
        settings: { topK: 10, contextFrames: 20, radiusCells: 12, temperature: 0.05 },
        onFrame: (t, result) => {
          const mask = decodePrediction(result.labels, labelSet, first.width, first.height);
          const reference = readIndexedPng(join(dir, 'masks', `${String(t).padStart(5, '0')}.png`)).indices;
          let count = 0;
          for (let i = 0; i < mask.length; i++) if (mask[i] !== reference[i]) count++;
          differing.push(count);
        },
      });
      await runner.close();
      expect(differing).toEqual(new Array(frameCount).fill(0));
    }, 600_000);
  }
});
