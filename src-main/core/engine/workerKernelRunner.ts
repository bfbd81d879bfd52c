import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EngineError } from './engineError.ts';
import { InlineKernelRunner, type FrameJob, type KernelRunner } from './kernelRunner.ts';
import { TILE_ROWS } from './gemmKernelRunner.ts';
import type { WorkerReply, WorkerRequest } from './propagationWorker.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface WorkerRunnerOptions {
  /** Worker threads (default: available cores). */
  threads?: number;
  /** Frames with fewer query cells × context slots than this run inline (thread hand-off would cost more). */
  minWorkForThreads?: number;
  /** 'js' (default): the screened JS kernel; 'gemm': the matrix-multiply kernel, one onnxruntime thread per worker. */
  kernel?: 'js' | 'gemm';
}

/** Numbers the feature arrays a runner has seen, so workers can keep their copies across frames. */
const featureIds = new WeakMap<Float32Array, number>();
let nextFeatureId = 1;
function featureId(array: Float32Array): number {
  let id = featureIds.get(array);
  if (id === undefined) {
    id = nextFeatureId++;
    featureIds.set(array, id);
  }
  return id;
}

function shared(array: Float32Array): Float32Array {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new Float32Array(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/**
 * Splits the query rows of a frame over worker threads (SPEC-neutral: every row's result is independent, so the
 * output is bit-identical to the inline runner). Features and labels travel as SharedArrayBuffer views, no copies.
 */
export class WorkerKernelRunner implements KernelRunner {
  readonly threads: number;
  readonly name: string;
  readonly kernel: 'js' | 'gemm';
  private readonly minWork: number;
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private readonly inline = new InlineKernelRunner();

  constructor(options: WorkerRunnerOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.minWork = options.minWorkForThreads ?? 20_000;
    this.kernel = options.kernel ?? 'js';
    const kernelName = this.kernel === 'gemm' ? 'onnxruntime GEMM + exact top-k' : 'JS exact-screened';
    this.name = `${kernelName} · ${this.threads} worker thread${this.threads === 1 ? '' : 's'}`;
  }

  async run(job: FrameJob): Promise<Float32Array> {
    const cells = job.width * job.height;
    if (this.threads === 1 || job.height < 2 || cells * job.slots.length < this.minWork) return this.inline.run(job);
    this.ensureWorkers();
    const out = new Float32Array(new SharedArrayBuffer(cells * job.labelChannels * 4));
    const slots = job.slots.map((slot) => ({ ...slot, features: shared(slot.features), labels: shared(slot.labels) }));
    // Keep duplicate slots pointing at one array so the kernel can share their scores.
    const byOriginal = new Map<Float32Array, Float32Array>();
    job.slots.forEach((slot, i) => {
      const known = byOriginal.get(slot.features);
      if (known) slots[i].features = known;
      else byOriginal.set(slot.features, slots[i].features);
    });
    const query = shared(job.query);
    const ids = job.slots.map((slot) => featureId(slot.features));
    const queryId = featureId(job.query);
    // Bands of whole rows; the GEMM kernel works in tiles of TILE_ROWS rows, so its bands follow tile rows.
    const unit = this.kernel === 'gemm' ? TILE_ROWS : 1;
    const units = Math.ceil(job.height / unit);
    const bands = Math.min(this.threads, units);
    const jobs: Promise<void>[] = [];
    for (let band = 0; band < bands; band++) {
      const rowStart = Math.floor((band * units) / bands) * unit;
      const rowEnd = Math.min(job.height, Math.floor(((band + 1) * units) / bands) * unit);
      const task = { ...job, query, slots, out, rowStart, rowEnd };
      const request: DistributiveOmit<WorkerRequest, 'id'> =
        this.kernel === 'gemm' ? { kind: 'gemm', task, featureIds: ids, queryId } : { kind: 'js', task };
      jobs.push(this.post(this.workers[band], request));
    }
    await Promise.all(jobs);
    return out;
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
    for (const { reject } of this.pending.values()) reject(new EngineError('WORKER_FAILED', 'the runner was closed'));
    this.pending.clear();
  }

  private ensureWorkers(): void {
    while (this.workers.length < this.threads) {
      const worker = new Worker(new URL('./propagationWorker.mjs', import.meta.url));
      worker.on('message', (reply: WorkerReply) => {
        const entry = this.pending.get(reply.id);
        if (!entry) return;
        this.pending.delete(reply.id);
        if (reply.ok) entry.resolve();
        else entry.reject(new EngineError('WORKER_FAILED', `propagation worker failed: ${reply.message}`));
      });
      worker.on('error', (error) => {
        for (const { reject } of this.pending.values()) reject(new EngineError('WORKER_FAILED', `propagation worker crashed: ${error.message}`));
        this.pending.clear();
      });
      // Idle workers must not keep the process alive; busy ones must (see post()).
      worker.unref();
      this.workers.push(worker);
    }
  }

  private post(worker: Worker, request: DistributiveOmit<WorkerRequest, 'id'>): Promise<void> {
    const id = this.nextId++;
    worker.ref();
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as WorkerRequest);
    }).finally(() => worker.unref());
  }
}
