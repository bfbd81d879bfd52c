/**
 * Worker-thread side of `importAnnotationsIntoClip`: opens the files (JSON/XML parsing, PNG and MAT decoding),
 * checks them against the clip and encodes every frame, then — once the app says the import was not cancelled —
 * writes it all in one transaction through its own connection to the project. None of it runs on the app's loop.
 */
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ProjectStore } from '../store/projectStore.ts';
import type { ImportWorkerReply, ImportWorkerRequest } from './annotationImportRunner.ts';
import { readAndEncode } from './importEncoding.ts';
import { importIntoProject } from './projectAnnotationSource.ts';

if (!parentPort) throw new Error('annotationImportWorker.ts must run inside a worker thread');
const port = parentPort;
const post = (reply: ImportWorkerReply) => port.postMessage(reply);
const nextMessage = () => new Promise<unknown>((resolve) => port.once('message', resolve));

try {
  // Below the app's own thread, so on a busy machine the UI's calls come first (Linux: per thread).
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted here: the import still runs, at normal priority.
}

async function run(request: ImportWorkerRequest): Promise<void> {
  const encoded = await readAndEncode(request, request.clip, (done, total) => post({ type: 'progress', done, total }), 50);
  // Nothing is written before the app confirms; it terminates this thread instead when the import was cancelled.
  post({ type: 'ready' });
  await nextMessage();
  const store = ProjectStore.openAlongside(request.projectFile);
  try {
    const result = importIntoProject(store, request.clip.id, encoded, { replace: request.replace });
    post({ type: 'done', result: { ...result, format: encoded.format, origin: encoded.origin } });
  } finally {
    store.close();
  }
}

port.once('message', (request: ImportWorkerRequest) => {
  run(request).catch((error: unknown) => {
    const { code, message } = error as { code?: unknown; message?: unknown };
    post({ type: 'error', code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : String(error) });
  });
});
