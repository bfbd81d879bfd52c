/**
 * Export of a project's clips through `core/formats` (written into a temporary folder inside the chosen one and
 * renamed into place). `exportInWorker` runs it on a worker thread with its own connection to the project, so a
 * 10,000-frame export leaves the app's thread free; `exportProjectClips` is the export itself.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ApiError } from '../api/apiError.ts';
import type { CallOptions, ExportRequest, ExportSummary, Progress } from '../api/contract.ts';
import { exportAnnotations, type FormatExportOptions } from '../formats/annotationFormats.ts';
import type { ExportResult, RgbFrameAt } from '../formats/annotationSource.ts';
import { ExportWriter } from '../formats/exportWriter.ts';
import { FormatError } from '../formats/formatError.ts';
import { projectAnnotationSource } from '../formats/projectAnnotationSource.ts';
import { checkPathComponent, safePathComponent, sequenceNameOf } from '../formats/safeNames.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { ClipRecord } from '../store/types.ts';
import { CancelledError } from '../base/cancellation.ts';
import { FrameSource, sourceInfoOf } from '../video/index.ts';

/** A FormatError names its file already; for a multi-clip export the clip is named too. Cancels stay cancels. */
function inClip(error: unknown, clip: ClipRecord): unknown {
  if (!(error instanceof FormatError)) return error;
  return new ApiError(error.code, `Clip "${clip.name}": ${error.message}`);
}

export function clipOf(store: ProjectStore, clipId: string): ClipRecord {
  const clip = store.getClip(clipId);
  if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${clipId}.`);
  return clip;
}

/** `destination/folderName`: the destination must be an existing folder and the name one plain, visible component. */
function exportTarget(args: ExportRequest, defaultBase: string): string {
  const destination = path.resolve(args.destination);
  if (!existsSync(destination)) throw new ApiError('NOT_FOUND', `${destination} does not exist.`);
  if (!statSync(destination).isDirectory()) throw new ApiError('NOT_A_DIRECTORY', `${destination} is not a folder.`);
  const folderName = args.folderName ?? safePathComponent(`${defaultBase}-${args.format}`, `export-${args.format}`);
  checkPathComponent(folderName);
  if (folderName.startsWith('.')) throw new ApiError('UNSAFE_PATH', `The export folder name "${folderName}" must not start with a dot.`);
  return path.join(destination, folderName);
}

type ClipExport = { clip: ClipRecord; result: ExportResult };

/** Several clips: one folder per clip inside one staging folder, which is renamed into place only at the end. */
async function exportSeveral(
  clips: ClipRecord[],
  target: string,
  overwrite: boolean | undefined,
  signal: AbortSignal | undefined,
  exportClip: (clip: ClipRecord, out: string) => Promise<ExportResult>,
): Promise<ClipExport[]> {
  const writer = ExportWriter.start(target, { overwrite });
  const results: ClipExport[] = [];
  try {
    const used = new Set<string>();
    for (const clip of clips) {
      signal?.throwIfAborted();
      const base = sequenceNameOf(clip.name);
      let name = base;
      for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}`;
      used.add(name.toLowerCase());
      const result = await exportClip(clip, writer.folder([name]));
      result.files.forEach((file) => writer.noteFiles([name, file]));
      results.push({ clip, result: { ...result, out: path.join(target, name) } });
    }
    writer.commit();
    return results;
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * The clips and the folder an export writes, checked (clips exist, destination usable, an existing folder only
 * replaced when it holds an earlier export): cheap, so the app checks it at once before starting a worker.
 */
export function planExport(store: ProjectStore, args: ExportRequest): { clips: ClipRecord[]; target: string } {
  const clips = args.clipIds ? args.clipIds.map((clipId) => clipOf(store, clipId)) : store.listClips();
  if (clips.length === 0) throw new ApiError('NOTHING_TO_EXPORT', 'The project has no clips to export.');
  const target = exportTarget(args, clips.length === 1 ? sequenceNameOf(clips[0].name) : store.getProject().name);
  ExportWriter.checkDestination(target, { overwrite: args.options?.overwrite });
  return { clips, target };
}

export async function exportProjectClips(store: ProjectStore, args: ExportRequest, callOptions: CallOptions = {}): Promise<ExportSummary> {
  const { signal, onProgress } = callOptions;
  const { clips, target } = planExport(store, args);
  const totalFrames = clips.reduce((sum, clip) => sum + clip.frameCount, 0);
  let framesBefore = 0;
  const exportClip = async (clip: ClipRecord, out: string): Promise<ExportResult> => {
    const frameSource = args.options?.includeFrames ? new FrameSource(sourceInfoOf(clip), { cacheFrames: 2 }) : undefined;
    const options: FormatExportOptions = {
      signal,
      overwrite: clips.length === 1 && args.options?.overwrite,
      allFrames: args.options?.allFrames,
      className: args.options?.className,
      frames: frameSource && (() => frameSource.readFrames() as AsyncIterable<RgbFrameAt>),
      onProgress: ({ done, message }) =>
        onProgress?.({ done: framesBefore + done, total: totalFrames, message: clips.length > 1 ? `${clip.name}: ${message}` : message }),
    };
    try {
      return await exportAnnotations(args.format, projectAnnotationSource(store, clip.id), out, options);
    } catch (error) {
      throw inClip(error, clip);
    } finally {
      frameSource?.close();
      framesBefore += clip.frameCount;
    }
  };

  onProgress?.({ done: 0, total: totalFrames, message: 'Starting…' });
  const results =
    clips.length === 1
      ? [{ clip: clips[0], result: await exportClip(clips[0], target) }]
      : await exportSeveral(clips, target, args.options?.overwrite, signal, exportClip);
  onProgress?.({ done: totalFrames, total: totalFrames, message: 'Exported.' });
  return {
    format: args.format,
    path: target,
    clips: results.map(({ clip, result }) => ({ clipId: clip.id, name: clip.name, path: result.out, frames: result.frames, objects: result.objects })),
    frames: results.reduce((sum, { result }) => sum + result.frames, 0),
    fileCount: results.reduce((sum, { result }) => sum + result.fileCount, 0),
    warnings: results.flatMap(({ clip, result }) => result.warnings.map((warning) => (clips.length > 1 ? `${clip.name}: ${warning}` : warning))),
  };
}

export type ExportWorkerRequest = { type: 'export'; projectFile: string; args: ExportRequest } | { type: 'cancel' };
export type ExportWorkerReply =
  | { type: 'progress'; progress: Progress }
  | { type: 'done'; summary: ExportSummary }
  | { type: 'error'; code: string | undefined; message: string };

const workerUrl = new URL('./exchangeExportWorker.mjs', import.meta.url);

/** Whether exports can run on a worker thread here (its bootstrap is not shipped in a bundled build). */
export const canExportInWorker = (): boolean => existsSync(fileURLToPath(workerUrl));

/**
 * `exportProjectClips` on a worker thread. A cancel is passed on, so the worker stops at its next frame and removes
 * its temporary folder before it answers CANCELLED.
 */
export function exportInWorker(projectFile: string, args: ExportRequest, callOptions: CallOptions = {}): Promise<ExportSummary> {
  const { signal, onProgress } = callOptions;
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl);
    let settled = false;
    const finish = (error: Error | undefined, summary?: ExportSummary) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (error || !summary) reject(error ?? new Error('the export worker stopped before it finished'));
      else resolve(summary);
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' } satisfies ExportWorkerRequest);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: ExportWorkerReply) => {
      if (reply.type === 'progress') onProgress?.(reply.progress);
      else if (reply.type === 'done') finish(undefined, reply.summary);
      else if (reply.code === 'CANCELLED') finish(new CancelledError());
      else finish(reply.code ? new ApiError(reply.code, reply.message) : new Error(reply.message));
    });
    worker.on('error', (error) => finish(new Error(`the export worker failed: ${error.message}`)));
    worker.on('exit', () => finish(undefined));
    worker.postMessage({ type: 'export', projectFile, args } satisfies ExportWorkerRequest);
  });
}
