import type { FrameSelection } from './frameSelection.ts';
import { type ContextSlot, type PropagationSettings, propagateRows } from './propagationKernel.ts';

/** Everything the kernel needs for one frame; the runner decides how rows are split. */
export interface FrameJob {
  width: number;
  height: number;
  featureChannels: number;
  labelChannels: number;
  query: Float32Array;
  slots: ContextSlot[];
  settings: PropagationSettings;
  /** Also record every cell's top-k here (on shared memory: worker runners write their bands into it). */
  selection?: FrameSelection;
}

/** Runs the kernel for a whole frame and returns the N×L soft prediction. */
export interface KernelRunner {
  /** What runs the kernel, for reports (e.g. "JS exact-screened · 2 worker threads"). */
  readonly name: string;
  readonly threads: number;
  run(job: FrameJob): Promise<Float32Array>;
  close(): Promise<void>;
}

/** Single-threaded runner on the calling thread: tiny inputs, tests, and the fallback. */
export class InlineKernelRunner implements KernelRunner {
  readonly name = 'JS exact-screened · inline';
  readonly threads = 1;

  async run(job: FrameJob): Promise<Float32Array> {
    const out = new Float32Array(job.width * job.height * job.labelChannels);
    propagateRows({ ...job, out, rowStart: 0, rowEnd: job.height });
    return out;
  }

  async close(): Promise<void> {}
}
