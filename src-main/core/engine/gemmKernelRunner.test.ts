import { describe, expect, it } from 'vitest';
import { sharedFloat32, toCellMajor } from './featureMap.ts';
import { GemmKernelRunner } from './gemmKernelRunner.ts';
import { InlineKernelRunner, type FrameJob } from './kernelRunner.ts';
import { pixelsFeatures } from './pixelsStream.ts';
import { movingSquareClip } from '../../../tests/support/syntheticClip.ts';
import { WorkerKernelRunner } from './workerKernelRunner.ts';

function job(options: { tiedCopies: boolean }): FrameJob {
  const clip = movingSquareClip({ width: 216, height: 136, frameCount: 5, squareSize: 40, startX: 20, startY: 30, stepX: 7, stepY: 2 });
  const cells = clip.frames.map((frame) => toCellMajor(pixelsFeatures(frame)));
  const width = 27;
  const height = 17;
  const labels = sharedFloat32(width * height * 3).map((_, i) => ((i % 3) === ((i / 3) | 0) % 3 ? 1 : 0));
  // Same features with other labels: every score ties with a different label, so only the exact kernel decides.
  const otherLabels = options.tiedCopies ? sharedFloat32(labels.length).map((_, i) => labels[(i + 1) % labels.length]) : labels;
  return {
    width,
    height,
    featureChannels: 48,
    labelChannels: 3,
    query: cells[4],
    slots: [
      { features: cells[0], labels, restricted: false },
      { features: cells[0], labels, restricted: true },
      { features: cells[1], labels, restricted: true },
      { features: cells[2], labels: otherLabels, restricted: true },
      { features: cells[3], labels, restricted: true },
      { features: cells[2], labels, restricted: true },
    ],
    settings: { topK: 6, contextFrames: 5, radiusCells: 5, temperature: 0.05 },
  };
}

/** Runs the GEMM kernel on one thread, checks its bits against the exact JS kernel, returns its fallback cells. */
async function fallbackCellsOfExactRun(frameJob: FrameJob): Promise<number> {
  const runner = new GemmKernelRunner({ threads: 1 });
  try {
    const gemm = await runner.run(frameJob);
    const exact = await new InlineKernelRunner().run(frameJob);
    expect(Array.from(gemm)).toEqual(Array.from(exact));
    return runner.lastFallbackCells;
  } finally {
    await runner.close();
  }
}

describe('GemmKernelRunner', () => {
  it('gives the same bits when two worker threads each score a band of tile rows', async () => {
    const frameJob = job({ tiedCopies: true });
    const runner = new WorkerKernelRunner({ threads: 2, kernel: 'gemm', minWorkForThreads: 0 });
    try {
      const first = await runner.run(frameJob);
      const again = await runner.run(frameJob); // workers reuse their copies of the frames
      const exact = await new InlineKernelRunner().run(frameJob);
      expect(Array.from(first)).toEqual(Array.from(exact));
      expect(Array.from(again)).toEqual(Array.from(exact));
    } finally {
      await runner.close();
    }
  });

  it('gives bit-identical predictions to the exact JS kernel (tiles at the borders, duplicate frames)', async () => {
    const frameJob = job({ tiedCopies: false });
    const runner = new GemmKernelRunner({ threads: 2 });
    try {
      const gemm = await runner.run(frameJob);
      const exact = await new InlineKernelRunner().run(frameJob);
      expect(Array.from(gemm)).toEqual(Array.from(exact));
    } finally {
      await runner.close();
    }
  });

  it('hands cells whose top-k ties across different labels to the exact kernel, with the same result', async () => {
    const frameJob = job({ tiedCopies: true });
    expect(await fallbackCellsOfExactRun(frameJob)).toBeGreaterThan(0);
  });

  it('counts the padding copies of the first frame without scanning them, bit for bit (more copies than k)', async () => {
    const base = job({ tiedCopies: false });
    const [anchor] = base.slots;
    for (const copies of [1, 5, 9]) {
      // Frame 1 of a clip: the long-term first frame, then `copies` short-term copies of it, then one newer frame.
      const frameJob: FrameJob = {
        ...base,
        query: base.slots[2].features,
        slots: [anchor, ...Array.from({ length: copies }, () => ({ ...anchor, restricted: true })), base.slots[4]],
      };
      await fallbackCellsOfExactRun(frameJob);
    }
  });

  it('stays exact on a flat long-term frame whose tied scores outnumber the best ones onnxruntime returns', async () => {
    const base = job({ tiedCopies: false });
    // The long-term frame: every cell the mean query feature, so each query scores all its cells alike (and best);
    // the short-term frames: negated queries, scoring below. The 64 best returned cannot prove the top-k.
    const D = base.featureChannels;
    const mean = new Float32Array(D);
    for (let i = 0; i < base.query.length; i++) mean[i % D] += base.query[i];
    const flat = base.query.map((_, i) => mean[i % D]);
    const negated = base.query.map((value) => -value);
    const frameJob: FrameJob = {
      ...base,
      slots: [{ ...base.slots[0], features: flat }, { ...base.slots[2], features: negated }, { ...base.slots[4], features: negated.slice() }],
    };
    expect(await fallbackCellsOfExactRun(frameJob)).toBeGreaterThan(0);
  });
});
