/**
 * Export and import of annotation files from the app: the project's clips → `core/formats` exporters (written into a
 * temporary folder inside the chosen one and renamed into place), and files → `importIntoProject` (one transaction).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ApiError } from '../api/apiError.ts';
import type {
  CallOptions,
  ExchangeFormatInfo,
  ExchangeService,
  ExportRequest,
  ExportSummary,
  ImportRequest,
  ImportSummary,
  ObjectKind,
} from '../api/contract.ts';
import { throwIfCancelled } from '../base/cancellation.ts';
import { exportAnnotations, type FormatExportOptions, importAnnotations } from '../formats/annotationFormats.ts';
import type { ExportResult, RgbFrameAt } from '../formats/annotationSource.ts';
import { ExportWriter } from '../formats/exportWriter.ts';
import { FormatError } from '../formats/formatError.ts';
import { importIntoProject, projectAnnotationSource } from '../formats/projectAnnotationSource.ts';
import { checkPathComponent, safePathComponent, sequenceNameOf } from '../formats/safeNames.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { ClipRecord } from '../store/types.ts';
import { FrameSource, sourceInfoOf } from '../video/index.ts';
import { exchangeFormats } from './exchangeFormats.ts';

/** A FormatError names its file already; for a multi-clip export the clip is named too. Cancels stay cancels (not FormatErrors). */
function inClip(error: unknown, clip: ClipRecord): unknown {
  if (!(error instanceof FormatError)) return error;
  return new ApiError(error.code, `Clip "${clip.name}": ${error.message}`);
}

function clipOf(store: ProjectStore, clipId: string): ClipRecord {
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
      throwIfCancelled(signal);
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

export class ProjectExchangeService implements ExchangeService {
  constructor(private readonly library: ProjectLibrary) {}

  async formats(): Promise<ExchangeFormatInfo[]> {
    return exchangeFormats.map((info) => structuredClone(info));
  }

  async export(args: ExportRequest, callOptions: CallOptions = {}): Promise<ExportSummary> {
    const { signal, onProgress } = callOptions;
    const store = this.library.open(args.projectId);
    const clips = args.clipIds ? args.clipIds.map((clipId) => clipOf(store, clipId)) : store.listClips();
    if (clips.length === 0) throw new ApiError('NOTHING_TO_EXPORT', 'The project has no clips to export.');
    const target = exportTarget(args, clips.length === 1 ? sequenceNameOf(clips[0].name) : store.getProject().name);
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

  async import(args: ImportRequest, callOptions: CallOptions = {}): Promise<ImportSummary> {
    const { signal, onProgress } = callOptions;
    const store = this.library.open(args.projectId);
    clipOf(store, args.clipId);
    onProgress?.({ done: 0, total: 1, message: 'Reading the files…' });
    // Opening validates every file (sizes, palettes, shapes) before anything is written.
    const imported = importAnnotations(args.format, path.resolve(args.sourcePath), { sequence: args.sequence, anyPalette: args.anyPalette });
    throwIfCancelled(signal);
    const result = importIntoProject(store, args.clipId, imported, {
      replace: args.replace,
      onProgress: ({ done, total, message }) => onProgress?.({ done, total, message }),
    });
    return {
      clipId: result.clipId,
      origin: imported.origin,
      objects: result.objects.map((object) => ({ id: object.id, name: object.name, kind: object.kind as ObjectKind, paletteIndex: object.paletteIndex })),
      frames: result.frames,
      annotations: result.annotations,
      keyframes: result.keyframes,
      warnings: result.warnings,
    };
  }
}
