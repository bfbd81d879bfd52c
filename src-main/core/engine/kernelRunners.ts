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
  return choice.kind === 'js' ? new WorkerKernelRunner({ threads: choice.threads }) : new GemmKernelRunner({ threads: choice.threads });
}
