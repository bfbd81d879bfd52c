/** The one place that picks a kernel runner for a job size and machine. */
import { GemmKernelRunner } from './gemmKernelRunner.ts';
import type { KernelRunner } from './kernelRunner.ts';
import { WorkerKernelRunner } from './workerKernelRunner.ts';

export type KernelKind = 'gemm' | 'js';

export interface KernelRunnerChoice {
  threads: number;
  /**
   * 'gemm' (default): onnxruntime matrix multiplies score the windows, exact top-k in JS; 'js': the screened
   * JS kernel on worker threads. Both give the same bits.
   */
  kind?: KernelKind;
}

export function createKernelRunner(choice: KernelRunnerChoice): KernelRunner {
  if (choice.kind === 'js') return new WorkerKernelRunner({ threads: choice.threads });
  // Several threads: one worker per band, each with a single-threaded GEMM, so scoring and the JS selection of
  // different bands run on different cores at once.
  return choice.threads > 1 ? new WorkerKernelRunner({ threads: choice.threads, kernel: 'gemm' }) : new GemmKernelRunner({ threads: 1 });
}
