/**
 * Kernel timing at the reference's DAVIS scale: one 480p frame (60×107 cells), 1 long-term + n distinct short-term
 * slots (the steady state after the first n frames, no duplicate reuse). Features: the car-shadow fixture when
 * present (realistic screening), else smooth random unit vectors.
 */
import { InlineKernelRunner, type FrameJob, type KernelRunner } from './kernelRunner.ts';
import { sharedFloat32 } from './featureMap.ts';
import type { PropagationSettings } from './propagationKernel.ts';
import { WorkerKernelRunner } from './workerKernelRunner.ts';

export interface KernelBenchResult {
  width: number;
  height: number;
  channels: number;
  settings: PropagationSettings;
  threads: number;
  msPerFrame: number;
  frames: number;
}

/** Builds the frame job from `frameFeatures(t)` (cell-major h·w×C for t = 0..n). */
export function benchJob(width: number, height: number, channels: number, frameFeatures: (t: number) => Float32Array, settings: PropagationSettings): FrameJob {
  const cells = width * height;
  const labels = sharedFloat32(cells * 2);
  for (let i = 0; i < cells; i++) labels[i * 2 + (i % 3 === 0 ? 1 : 0)] = 1;
  const slots = [{ features: frameFeatures(0), labels, restricted: false }];
  for (let j = 1; j <= settings.contextFrames; j++) slots.push({ features: frameFeatures(j), labels, restricted: true });
  return { width, height, featureChannels: channels, labelChannels: 2, query: frameFeatures(settings.contextFrames + 1), slots, settings };
}

export async function benchKernel(job: FrameJob, threads: number, frames = 2): Promise<KernelBenchResult> {
  const runner: KernelRunner = threads > 1 ? new WorkerKernelRunner({ threads }) : new InlineKernelRunner();
  try {
    await runner.run(job); // warm-up: JIT and worker start are not part of the per-frame cost
    const start = performance.now();
    for (let i = 0; i < frames; i++) await runner.run(job);
    const msPerFrame = (performance.now() - start) / frames;
    return { width: job.width, height: job.height, channels: job.featureChannels, settings: job.settings, threads, msPerFrame, frames };
  } finally {
    await runner.close();
  }
}
