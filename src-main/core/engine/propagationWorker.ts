/**
 * Worker-thread side of WorkerKernelRunner: runs the kernel on one band of rows, writing into shared memory.
 * `js` requests run the screened JS kernel; `gemm` requests run the matrix-multiply kernel with this thread's own
 * single-threaded onnxruntime session, so scoring and selection of different bands proceed on different cores.
 */
import { parentPort } from 'node:worker_threads';
import { createGemmSession, type GemmSessions, gemmRows } from './gemmKernelRunner.ts';
import { type KernelTask, propagateRows } from './propagationKernel.ts';

export type WorkerRequest =
  | { id: number; kind: 'js'; task: KernelTask }
  /** featureIds[i] names slots[i].features (and queryId the query) so this thread can keep its plain copies. */
  | { id: number; kind: 'gemm'; task: KernelTask; featureIds: number[]; queryId: number };

export type WorkerReply = { id: number; ok: true; fallbackCells?: number } | { id: number; ok: false; message: string };

if (!parentPort) throw new Error('propagationWorker.ts must run inside a worker thread');
const port = parentPort;

let session: Promise<GemmSessions> | undefined;
/** Plain (non-shared) copies of the frames of the current context, by the runner's feature id. */
let copies = new Map<number, Float32Array>();

function plainCopy(id: number, array: Float32Array, keep: Map<number, Float32Array>): Float32Array {
  const copy = keep.get(id) ?? copies.get(id) ?? array.slice();
  keep.set(id, copy);
  return copy;
}

async function runGemm(request: Extract<WorkerRequest, { kind: 'gemm' }>): Promise<number> {
  session ??= createGemmSession(1);
  const { task } = request;
  const keep = new Map<number, Float32Array>();
  const slots = task.slots.map((slot, i) => ({ ...slot, features: plainCopy(request.featureIds[i], slot.features, keep) }));
  const query = plainCopy(request.queryId, task.query, keep);
  copies = keep; // frames that left the context are released
  return gemmRows(await session, { ...task, slots, query }, task.rowStart, task.rowEnd, task.out);
}

port.on('message', (request: WorkerRequest) => {
  const reply = (result: Promise<number | undefined>) =>
    result.then(
      (fallbackCells) => port.postMessage({ id: request.id, ok: true, fallbackCells } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
    );
  if (request.kind === 'gemm') {
    void reply(runGemm(request));
    return;
  }
  void reply(
    new Promise<undefined>((resolve) => {
      propagateRows(request.task);
      resolve(undefined);
    }),
  );
});
