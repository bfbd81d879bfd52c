import { describe, expect, it } from 'vitest';
import { sharedFloat32, toCellMajor } from './featureMap.ts';
import { applySelection, type FrameSelection, identityLabels, newSelection, SelectionCache } from './frameSelection.ts';
import { GemmKernelRunner } from './gemmKernelRunner.ts';
import { type FrameJob, InlineKernelRunner, type KernelRunner } from './kernelRunner.ts';
import { pixelsFeatures } from './pixelsStream.ts';
import { movingSquareClip } from '../../../tests/support/syntheticClip.ts';
import { WorkerKernelRunner } from './workerKernelRunner.ts';

const width = 27;
const height = 17;
const cells = width * height;

function labelMap(seed: number): Float32Array {
  const labels = sharedFloat32(cells * 3);
  for (let cell = 0; cell < cells; cell++) labels[cell * 3 + ((cell * seed + (cell >> 3)) % 3)] = 1;
  return labels;
}

/**
 * The first frame of a pass: the keyframe as the long-term slot and as the short-term padding copies (one labels
 * array), another keyframe with its own labels, and a flat frame whose cells all tie.
 */
function firstFrameJob(first: Float32Array, second: Float32Array): FrameJob {
  const clip = movingSquareClip({ width: 216, height: 136, frameCount: 3, squareSize: 40, startX: 20, startY: 30, stepX: 7, stepY: 2 });
  const [f0, f1, f2] = clip.frames.map((frame) => toCellMajor(pixelsFeatures(frame)));
  const D = 48;
  const flat = sharedFloat32(cells * D);
  for (let i = 0; i < flat.length; i++) flat[i] = f1[(i % D) + 5 * D];
  return {
    width,
    height,
    featureChannels: D,
    labelChannels: 3,
    query: f1,
    slots: [
      { features: f0, labels: first, restricted: false },
      { features: flat, labels: second, restricted: false },
      ...Array.from({ length: 4 }, () => ({ features: f0, labels: first, restricted: true })),
      { features: f2, labels: second, restricted: true },
    ],
    settings: { topK: 6, contextFrames: 5, radiusCells: 5, temperature: 0.05 },
  };
}

/** Selects with identity labels (what prepare() does), as the runner would. */
async function select(runner: KernelRunner, job: FrameJob): Promise<FrameSelection> {
  const identities = identityLabels(job.slots.map((slot) => slot.labels), cells);
  const selection = newSelection(cells, job.settings.topK);
  await runner.run({ ...job, labelChannels: 1, slots: job.slots.map((slot, s) => ({ ...slot, labels: identities[s] })), selection });
  return selection;
}

describe('frame selection', () => {
  const runners: Array<[string, () => KernelRunner]> = [
    ['inline JS kernel', () => new InlineKernelRunner()],
    ['GEMM kernel', () => new GemmKernelRunner({ threads: 1 })],
    ['GEMM kernel on 2 worker threads', () => new WorkerKernelRunner({ threads: 2, kernel: 'gemm', minWorkForThreads: 0 })],
    ['JS kernel on 2 worker threads', () => new WorkerKernelRunner({ threads: 2, kernel: 'js', minWorkForThreads: 0 })],
  ];
  for (const [name, make] of runners) {
    it(`made without labels gives the kernel's bits for any labels (${name})`, async () => {
      const runner = make();
      try {
        const selection = await select(runner, firstFrameJob(labelMap(1), labelMap(2)));
        // Other labels with the same structure (one array for the keyframe and its copies): still exact.
        for (const [a, b] of [[1, 2], [5, 7], [2, 2]]) {
          const job = firstFrameJob(labelMap(a), labelMap(b));
          const expected = await new InlineKernelRunner().run(job);
          const applied = applySelection(selection, job.slots.map((slot) => slot.labels), cells, 3);
          expect(Array.from(applied)).toEqual(Array.from(expected));
        }
      } finally {
        await runner.close();
      }
    });
  }

  it('keeps each cell\'s candidates sorted by score', async () => {
    const selection = await select(new InlineKernelRunner(), firstFrameJob(labelMap(1), labelMap(2)));
    for (let q = 0; q < cells; q++) {
      for (let i = 1; i < selection.k; i++) expect(selection.values[q * selection.k + i]).toBeLessThanOrEqual(selection.values[q * selection.k + i - 1]);
    }
  });
});

describe('SelectionCache', () => {
  const some = (): FrameSelection => newSelection(1, 1);

  it('computes a key once, lets a run wait for one on its way, and forgets failures', async () => {
    const cache = new SelectionCache(2);
    let computed = 0;
    let release!: (selection: FrameSelection) => void;
    const pending = cache.compute('a', () => (computed++, new Promise((resolve) => (release = resolve))));
    void cache.compute('a', async () => (computed++, some()));
    const taken = cache.take('a');
    const selection = some();
    release(selection);
    await pending;
    expect(await taken).toBe(selection);
    expect(computed).toBe(1);
    expect(cache.hits).toBe(1);

    await cache.compute('bad', async () => Promise.reject(new Error('worker died'))).catch(() => undefined);
    expect(await cache.take('bad')).toBeUndefined();
    expect(cache.has('bad')).toBe(false);
    expect(await cache.take('missing')).toBeUndefined();
  });

  it('drops the least recently used key beyond its capacity', async () => {
    const cache = new SelectionCache(2);
    await cache.compute('a', async () => some());
    await cache.compute('b', async () => some());
    await cache.take('a');
    await cache.compute('c', async () => some());
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });
});
