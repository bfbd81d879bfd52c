/**
 * Worker-thread side of `exportInWorker`: opens its own connection to the project and runs the export, posting
 * progress; a 'cancel' message aborts it at the next frame (exporters yield between slices, so it arrives).
 */
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ProjectStore } from '../store/projectStore.ts';
import { type ExportWorkerReply, type ExportWorkerRequest, exportProjectClips } from './exchangeExport.ts';

if (!parentPort) throw new Error('exchangeExportWorker.ts must run inside a worker thread');
const port = parentPort;
const post = (reply: ExportWorkerReply) => port.postMessage(reply);
const controller = new AbortController();

try {
  // Below the app's own thread, so on a busy machine the UI's calls come first (Linux: per thread).
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted here: the export still runs, at normal priority.
}

async function run(projectFile: string, args: Extract<ExportWorkerRequest, { type: 'export' }>['args']): Promise<void> {
  const store = ProjectStore.openAlongside(projectFile);
  try {
    const summary = await exportProjectClips(store, args, { signal: controller.signal, onProgress: (progress) => post({ type: 'progress', progress }) });
    post({ type: 'done', summary });
  } finally {
    store.close();
  }
}

port.on('message', (request: ExportWorkerRequest) => {
  if (request.type === 'cancel') return controller.abort();
  run(request.projectFile, request.args).catch((error: unknown) => {
    const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
    if (name === 'AbortError') return post({ type: 'error', code: 'CANCELLED', message: 'Cancelled.' });
    post({ type: 'error', code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : String(error) });
  });
});
