import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { sha256 } from './embeddedModel.ts';
import { ModelError } from './modelError.ts';

/** Which device runs the models, for the status bar (same shape as the API contract's ComputeDeviceInfo). */
export interface ComputeDevice {
  device: 'cpu' | 'cuda';
  /** Short text, e.g. "CPU · 2 threads". */
  label: string;
  /** Why this device, e.g. "no CUDA execution provider installed (onnxruntime-node CPU build)". */
  reason: string;
  threads: number;
}

/** Where onnxruntime-node keeps its native libraries (the CUDA provider is an optional extra file there). */
function runtimeLibraryDirectory(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node'); // <pkg>/dist/index.js
    return path.resolve(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** Probes (without creating a session) whether the CUDA execution provider could run here. */
function probeCuda(): { available: boolean; reason: string } {
  const directory = runtimeLibraryDirectory();
  const libraryName = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const listed = ort.listSupportedBackends().some((backend) => backend.name === 'cuda');
  if (!listed || directory === undefined || !existsSync(path.join(directory, libraryName))) {
    return { available: false, reason: 'no CUDA execution provider installed (onnxruntime-node CPU build)' };
  }
  if (process.platform === 'linux' && !existsSync('/proc/driver/nvidia/version')) {
    return { available: false, reason: 'CUDA execution provider installed but no NVIDIA driver found' };
  }
  return { available: true, reason: `CUDA execution provider found (${libraryName})` };
}

/** The device a new session pool would use, with the threads it would configure; no session is created. */
export function describeComputeDevice(threads = availableParallelism()): ComputeDevice {
  const cuda = probeCuda();
  return cuda.available ? { device: 'cuda', label: 'CUDA GPU', reason: cuda.reason, threads } : cpuDevice(threads, cuda.reason);
}

function cpuDevice(threads: number, reason: string): ComputeDevice {
  return { device: 'cpu', label: `CPU · ${threads} thread${threads === 1 ? '' : 's'}`, reason, threads };
}

export interface OnnxSessionPoolOptions {
  /** intraOpNumThreads; default: every core of the machine. */
  threads?: number;
  /** Set false to stay on the CPU even when CUDA is present (tests, benchmarks). */
  allowCuda?: boolean;
}

/** A loaded model: the session plus what identifies it. */
export interface LoadedModel {
  session: ort.InferenceSession;
  /** sha256 of the model bytes: the cache key, also usable as a feature-cache key. */
  sha256: string;
  file: string;
}

/**
 * Creates onnxruntime sessions once per model content (sha256) and hands the same session to every caller.
 * The device is CUDA when its provider is installed and a session actually starts on it, else the CPU; a CUDA
 * failure is remembered so the status bar shows why the CPU is used.
 */
export class OnnxSessionPool {
  private readonly sessions = new Map<string, Promise<LoadedModel>>();
  private device: ComputeDevice;

  constructor(options: OnnxSessionPoolOptions = {}) {
    const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    const probed = describeComputeDevice(threads);
    this.device =
      options.allowCuda === false && probed.device === 'cuda'
        ? cpuDevice(threads, 'CUDA disabled by configuration')
        : probed;
  }

  describeComputeDevice(): ComputeDevice {
    return { ...this.device };
  }

  /** The session for `modelFile`, created on first use; errors name the file. */
  async load(modelFile: string): Promise<LoadedModel> {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(modelFile);
    } catch (cause) {
      throw new ModelError('MODEL_UNREADABLE', `cannot read the model: ${(cause as Error).message}`, modelFile, { cause });
    }
    return this.loadBytes(bytes, modelFile);
  }

  /** Same as `load` for a model already in memory; `file` names it in errors. */
  loadBytes(bytes: Uint8Array, file: string): Promise<LoadedModel> {
    const key = sha256(bytes);
    let entry = this.sessions.get(key);
    if (entry === undefined) {
      entry = this.createSession(bytes, file).then((session) => ({ session, sha256: key, file }));
      this.sessions.set(key, entry);
      entry.catch(() => this.sessions.delete(key)); // a failed load may be retried after the file is fixed
    }
    return entry;
  }

  /** Releases every session; the pool can be used again afterwards. */
  async release(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    for (const entry of entries) {
      const loaded = await entry.catch(() => undefined);
      await loaded?.session.release();
    }
  }

  private async createSession(bytes: Uint8Array, file: string): Promise<ort.InferenceSession> {
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: this.device.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // No busy-waiting between ops: the propagation workers share these cores, and on a loaded 2-core machine
      // spinning made 2-thread inference 1.5–3× slower (measured 480p: 36–91 ms spinning vs 32–33 ms not).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    if (this.device.device === 'cuda') {
      try {
        return await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cuda', 'cpu'] });
      } catch (error) {
        this.device = cpuDevice(this.device.threads, `CUDA execution provider failed to start (${firstLine(error)}); using the CPU`);
      }
    }
    try {
      return await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
    } catch (error) {
      throw new ModelError('MODEL_INVALID', `onnxruntime cannot load this model: ${firstLine(error)}`, file, { cause: error });
    }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
