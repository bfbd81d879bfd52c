/**
 * Export and import of annotation files from the app, both off the app's thread: the project's clips → `core/formats`
 * exporters on a worker thread (exchangeExport.ts), and files → `importAnnotationsIntoClip` (a worker thread reads,
 * encodes and writes them in one transaction).
 */
import path from 'node:path';
import type { CallOptions, ExchangeFormatInfo, ExchangeService, ExportRequest, ExportSummary, ImportRequest, ImportSummary, ObjectKind } from '../api/contract.ts';
import { importAnnotationsIntoClip } from '../formats/annotationImportRunner.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import { canExportInWorker, clipOf, exportInWorker, exportProjectClips, planExport } from './exchangeExport.ts';
import { exchangeFormats } from './exchangeFormats.ts';

export class ProjectExchangeService implements ExchangeService {
  constructor(private readonly library: ProjectLibrary) {}

  async formats(): Promise<ExchangeFormatInfo[]> {
    return exchangeFormats.map((info) => structuredClone(info));
  }

  async export(args: ExportRequest, callOptions: CallOptions = {}): Promise<ExportSummary> {
    const store = this.library.open(args.projectId);
    if (!canExportInWorker()) return exportProjectClips(store, args, callOptions);
    // Wrong clips or folders are told at once; the export itself runs on a worker thread with its own connection,
    // so a long export never holds up the app.
    planExport(store, args);
    return exportInWorker(store.filePath, args, callOptions);
  }

  async import(args: ImportRequest, callOptions: CallOptions = {}): Promise<ImportSummary> {
    const store = this.library.open(args.projectId);
    const clip = clipOf(store, args.clipId);
    // Read, checked, encoded and written off the event loop (a worker thread, one transaction); a cancel before
    // the writing leaves the project as it was.
    const result = await importAnnotationsIntoClip(
      store,
      args.clipId,
      { format: args.format, from: path.resolve(args.sourcePath), options: {
        sequence: args.sequence,
        anyPalette: args.anyPalette,
        frameSize: { width: clip.width, height: clip.height, of: `clip "${clip.name}"` },
      } },
      { replace: args.replace, signal: callOptions.signal, onProgress: callOptions.onProgress },
    );
    return {
      clipId: result.clipId,
      origin: result.origin,
      objects: result.objects.map((object) => ({ id: object.id, name: object.name, kind: object.kind as ObjectKind, paletteIndex: object.paletteIndex })),
      frames: result.frames,
      annotations: result.annotations,
      keyframes: result.keyframes,
      warnings: result.warnings,
    };
  }
}
