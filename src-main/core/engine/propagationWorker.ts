/** Worker-thread side of WorkerKernelRunner: runs the kernel on one band of rows, writing into shared memory. */
import { parentPort } from 'node:worker_threads';
import { type KernelTask, propagateRows } from './propagationKernel.ts';

export interface WorkerRequest {
  id: number;
  task: KernelTask;
}

export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; message: string };

if (!parentPort) throw new Error('propagationWorker.ts must run inside a worker thread');
const port = parentPort;
port.on('message', (request: WorkerRequest) => {
  try {
    propagateRows(request.task);
    port.postMessage({ id: request.id, ok: true } satisfies WorkerReply);
  } catch (error) {
    port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
});
