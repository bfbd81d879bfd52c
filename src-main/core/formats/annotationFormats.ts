import type { AnnotationFormat, AnnotationSource, ExportOptions, ExportResult, ImportedAnnotations } from './annotationSource.ts';
import { exportCoco, importCoco } from './cocoFormat.ts';
import { exportCvat, importCvat } from './cvatXml.ts';
import { type DavisExportOptions, exportDavis, type FormatExportSummary, importDavis } from './davisFormat.ts';
import { ExportWriter } from './exportWriter.ts';
import { exportVip, importVip } from './vipFormat.ts';
import { exportYoutubeVos, importYoutubeVos } from './youtubeVos.ts';
import { exportJhmdb, importJhmdb, type JhmdbExportOptions } from './jhmdbFormat.ts';
import { FormatError } from './formatError.ts';
import type { ExpectedFrameSize } from './labelPngSequence.ts';

/** Options every importer understands (each uses the ones that apply to it). */
export interface ImportOptions {
  /** Sequence / video to read when `from` is a dataset root holding several (JHMDB: "<class>/<video>"). */
  sequence?: string;
  /** DAVIS / YouTube-VOS: accept label PNGs whose palette is not the VOC colour map. */
  anyPalette?: boolean;
  /**
   * The clip's frame size, when the annotations go into a clip: label maps that declare another size are refused
   * from their headers, before anything is decoded.
   */
  frameSize?: ExpectedFrameSize;
}

export interface FormatExportOptions extends ExportOptions, DavisExportOptions, JhmdbExportOptions {}

type Exporter = (source: AnnotationSource, writer: ExportWriter, options: FormatExportOptions) => Promise<FormatExportSummary>;
type Importer = (from: string, options: ImportOptions) => ImportedAnnotations;

const exporters: Partial<Record<AnnotationFormat, Exporter>> = {
  davis: exportDavis,
  coco: exportCoco,
  jhmdb: exportJhmdb,
  vip: exportVip,
  ytvos: exportYoutubeVos,
  cvat: exportCvat,
};
const importers: Partial<Record<AnnotationFormat, Importer>> = {
  davis: importDavis,
  coco: (from, options) => importCoco(from, options.frameSize),
  jhmdb: importJhmdb,
  vip: importVip,
  ytvos: importYoutubeVos,
  cvat: (from, options) => importCvat(from, options.frameSize),
};

/**
 * Exports a clip's annotations into folder `out`: written into a temporary folder beside it and renamed into place
 * only when complete, so an error or a cancel leaves the destination as it was.
 */
export async function exportAnnotations(format: AnnotationFormat, source: AnnotationSource, out: string, options: FormatExportOptions = {}): Promise<ExportResult> {
  const exporter = exporters[format];
  if (!exporter) throw new FormatError('UNSUPPORTED', `unknown export format "${format}"`);
  const writer = ExportWriter.start(out, { overwrite: options.overwrite });
  try {
    const summary = await exporter(source, writer, options);
    writer.commit();
    return { format, out: writer.destination, files: writer.files.slice(0, 50), fileCount: writer.files.length, ...summary };
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** Opens (and validates) annotation files of `format`; frame data is read when the result is iterated. */
export function importAnnotations(format: AnnotationFormat, from: string, options: ImportOptions = {}): ImportedAnnotations {
  const importer = importers[format];
  if (!importer) throw new FormatError('UNSUPPORTED', `unknown import format "${format}"`);
  return importer(from, options);
}
