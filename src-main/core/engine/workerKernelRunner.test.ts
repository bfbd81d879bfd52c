import { describe, expect, it } from 'vitest';
import { sharedFloat32, toCellMajor } from './featureMap.ts';
import { InlineKernelRunner, type FrameJob } from './kernelRunner.ts';
import { pixelsFeatures } from './pixelsStream.ts';
import { movingSquareClip } from '../../../tests/support/syntheticClip.ts';
import { WorkerKernelRunner } from './workerKernelRunner.ts';

describe('WorkerKernelRunner', () => {
  it('gives bit-identical predictions to the single-threaded runner when rows are split over 2 threads', async () => {
    const clip = movingSquareClip({ width: 160, height: 96, frameCount: 4, squareSize: 24, startX: 20, startY: 30, stepX: 6 });
    const cells = clip.frames.map((frame) => toCellMajor(pixelsFeatures(frame)));
    const labels = sharedFloat32(20 * 12 * 2).map((_, i) => ((i >> 1) % 7 === 0 ? 1 : 0) ^ (i & 1));
    const job: FrameJob = {
      width: 20,
      height: 12,
      featureChannels: 48,
      labelChannels: 2,
      query: cells[3],
      slots: [
        { features: cells[0], labels, restricted: false },
        { features: cells[0], labels, restricted: true },
        { features: cells[1], labels, restricted: true },
        { features: cells[2], labels, restricted: true },
      ],
      settings: { topK: 5, contextFrames: 3, radiusCells: 4, temperature: 0.05 },
    };
    const runner = new WorkerKernelRunner({ threads: 2, minWorkForThreads: 0 });
    try {
      const threaded = await runner.run(job);
      const inline = await new InlineKernelRunner().run(job);
      expect(Array.from(threaded)).toEqual(Array.from(inline));
    } finally {
      await runner.close();
    }
  });
});
