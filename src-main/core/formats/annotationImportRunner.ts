/**
 * Imports annotation files into a clip without freezing the app: a worker thread opens, checks and encodes the
 * files and then writes them in ONE transaction through its own connection (WAL: the app's connection keeps
 * serving reads meanwhile). A cancel before the writing starts terminates the worker, so the project is unchanged;
 * the transaction itself is short and atomic. Where the worker's bootstrap is not shipped (a bundled build), the
 * same steps run on this thread, reading in slices of ~20 ms with the event loop served between them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProjectStore } from '../store/projectStore.ts';
import type { ImportOptions } from './annotationFormats.ts';
import type { AnnotationFormat } from './annotationSource.ts';
import { CancelledError, throwIfCancelled } from '../base/cancellation.ts';
import { FormatError, type FormatErrorCode } from './formatError.ts';
import { type ClipShape, readAndEncode } from './importEncoding.ts';
import { importIntoProject, type ProjectImportResult } from './projectAnnotationSource.ts';

/** Which files to read: the importer's format, path and options. */
export interface AnnotationFiles {
  format: AnnotationFormat;
  from: string;
  options?: ImportOptions;
}

export interface ClipImportOptions {
  /** Delete the clip's objects first, in the same transaction. */
  replace?: boolean;
  /** Honoured until the writing starts; then the import completes (it is one short transaction). */
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; message: string }) => void;
  /** Run on this thread even when the worker is available (tests of the bundled build's path). */
  onThisThread?: boolean;
}

export type ClipImportResult = ProjectImportResult & { format: AnnotationFormat; origin: string };

export interface ImportWorkerRequest {
  format: AnnotationFormat;
  from: string;
  options: ImportOptions;
  projectFile: string;
  clip: ClipShape & { id: string };
  replace: boolean;
}

export type ImportWorkerReply =
  | { type: 'progress'; done: number; total: number }
  | { type: 'ready' }
  | { type: 'done'; result: ClipImportResult }
  | { type: 'error'; code: string | undefined; message: string };

const workerUrl = new URL('./annotationImportWorker.mjs', import.meta.url);
const cancelled = () => new CancelledError();
const readMessage = (done: number, total: number) => `Read frame ${done} of ${total}`;

/** An error from the worker, with the code and message (which names the file) it had there. */
function workerError(code: string | undefined, message: string): Error {
  return code ? new FormatError(code as FormatErrorCode, message) : new Error(message);
}

function importInWorker(request: ImportWorkerRequest, options: ClipImportOptions): Promise<ClipImportResult> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl);
    let saving = false;
    let settled = false;
    const finish = (error: Error | undefined, result?: ClipImportResult) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (error || !result) reject(error ?? new Error('the import worker stopped before it finished'));
      else resolve(result);
    };
    // Before the writing starts, a cancel ends the worker; nothing was written.
    const onAbort = () => {
      if (!saving) finish(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: ImportWorkerReply) => {
      if (reply.type === 'progress') onProgress?.({ done: reply.done, total: reply.total, message: readMessage(reply.done, reply.total) });
      else if (reply.type === 'ready') {
        if (signal?.aborted) return finish(cancelled());
        saving = true;
        onProgress?.({ done: 0, total: 1, message: 'Saving…' });
        worker.postMessage('save');
      } else if (reply.type === 'done') finish(undefined, reply.result);
      else finish(workerError(reply.code, reply.message));
    });
    worker.on('error', (error) => finish(new Error(`the import worker failed: ${error.message}`)));
    worker.on('exit', () => finish(undefined));
    worker.postMessage(request);
  });
}

/** The same steps on this thread: reading yields to the event loop between slices; the transaction is one call. */
async function importHere(store: ProjectStore, request: ImportWorkerRequest, options: ClipImportOptions): Promise<ClipImportResult> {
  const { signal, onProgress } = options;
  const encoded = await readAndEncode(request, request.clip, async (done, total) => {
    onProgress?.({ done, total, message: readMessage(done, total) });
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfCancelled(signal);
  });
  onProgress?.({ done: 0, total: 1, message: 'Saving…' });
  const result = importIntoProject(store, request.clip.id, encoded, { replace: request.replace });
  return { ...result, format: encoded.format, origin: encoded.origin };
}

/**
 * Reads annotation files and writes them into clip `clipId` of `store`'s project, all or nothing: objects, then
 * annotations (keyframes as user annotations, the rest under one finished "import" run). Throws FormatError naming
 * the file on bad input, CANCELLED when cancelled before the writing started; either way nothing was written.
 */
export async function importAnnotationsIntoClip(store: ProjectStore, clipId: string, files: AnnotationFiles, options: ClipImportOptions = {}): Promise<ClipImportResult> {
  throwIfCancelled(options.signal);
  const clip = store.getClip(clipId);
  if (!clip) throw new FormatError('NOT_FOUND', `clip ${clipId} does not exist`, store.filePath);
  const request: ImportWorkerRequest = {
    format: files.format,
    from: files.from,
    options: files.options ?? {},
    projectFile: store.filePath,
    clip: { id: clip.id, name: clip.name, width: clip.width, height: clip.height, frameCount: clip.frameCount },
    replace: options.replace ?? false,
  };
  options.onProgress?.({ done: 0, total: 1, message: 'Reading the files…' });
  const inWorker = !options.onThisThread && existsSync(fileURLToPath(workerUrl));
  return inWorker ? importInWorker(request, options) : importHere(store, request, options);
}
