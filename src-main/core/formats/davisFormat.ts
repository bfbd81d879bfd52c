import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AnnotatedObject, AnnotationSource, ExportOptions, ImportedAnnotations } from './annotationSource.ts';
import { frameFileName, selectObjects } from './annotationSource.ts';
import type { ExportWriter } from './exportWriter.ts';
import { throwIfCancelled } from '../base/cancellation.ts';
import { FormatError } from './formatError.ts';
import { writeJpegFrames } from './jpegFrameWriter.ts';
import { composeIndexMap } from './labelMaps.ts';
import { folderEntries, labelPngSource, listFrameFiles, scanLabelPngs } from './labelPngSequence.ts';
import { encodeIndexedPng } from './png.ts';
import { sequenceNameOf } from './safeNames.ts';

// DAVIS-2017 layout (SPEC §1.1): Annotations/480p/<seq>/%05d.png, 8-bit palette PNGs with the PASCAL-VOC colour map,
// pixel value = object id (0 background, 255 void); JPEGImages/480p/<seq>/%05d.jpg; ImageSets/2017/<split>.txt.

export interface DavisExportOptions extends ExportOptions {
  /** Sequence folder name; default the clip name without its video extension. */
  sequenceName?: string;
  /** ImageSets/2017/<split>.txt that lists the sequence; default val. */
  split?: string;
}

export interface FormatExportSummary {
  frames: number;
  objects: number;
  warnings: string[];
}

const resolution = '480p';

/**
 * Writes mask objects as DAVIS palette PNGs. The object id written is the object's palette index, so ids are stable
 * across frames and match the colours the app shows; an object with palette index 255 is written as void.
 */
export async function exportDavis(source: AnnotationSource, writer: ExportWriter, options: DavisExportOptions = {}): Promise<FormatExportSummary> {
  const objects = selectObjects(source, ['mask'], options.objectIds);
  const sequence = sequenceNameOf(source.name, options.sequenceName);
  const warnings: string[] = [];
  if (objects.length === 0) throw new FormatError('BAD_INPUT', 'the clip has no mask objects to write as DAVIS annotations');
  if (source.height !== 480) warnings.push(`the clip is ${source.width}×${source.height}; DAVIS 480p sequences are 854×480 (written as they are)`);
  let framesWritten = 0;
  let overlapPixels = 0;
  for (let frameIndex = 0; frameIndex < source.frameCount; frameIndex++) {
    throwIfCancelled(options.signal);
    const annotations = source.annotationsAt(frameIndex).filter((a) => objects.some((o) => o.id === a.objectId));
    if (annotations.length === 0 && !options.allFrames) continue;
    const composed = composeIndexMap(source.width, source.height, objects, annotations);
    overlapPixels += composed.overlapPixels;
    const png = encodeIndexedPng({ width: source.width, height: source.height, indices: composed.indices });
    writer.writeFile(['Annotations', resolution, sequence, frameFileName(frameIndex, 'png')], png);
    framesWritten++;
    options.onProgress?.({ done: frameIndex + 1, total: source.frameCount, message: `DAVIS frame ${frameIndex + 1} of ${source.frameCount}` });
  }
  if (framesWritten === 0) throw new FormatError('BAD_INPUT', 'no frame of the clip has a mask annotation');
  if (overlapPixels > 0) warnings.push(`${overlapPixels} pixels belong to several objects; the higher object id was written`);
  writer.writeFile(['ImageSets', '2017', `${options.split ?? 'val'}.txt`], `${sequence}\n`);
  if (options.frames) {
    const folder = writer.folder(['JPEGImages', resolution, sequence]);
    await writeJpegFrames(options.frames(), folder, { width: source.width, height: source.height, frameCount: source.frameCount, signal: options.signal });
    writer.noteFiles(['JPEGImages', resolution, sequence, '*.jpg']);
  }
  return { frames: framesWritten, objects: objects.length, warnings };
}

export interface DavisImportOptions {
  /** Sequence to read when `from` is a DAVIS root with several. */
  sequence?: string;
  /** Accept palettes other than the VOC colour map. */
  anyPalette?: boolean;
}

/** The sequence folder `from` names: a DAVIS root (Annotations/480p/<seq>), an Annotations folder, or the sequence itself. */
export function resolveSequenceFolder(from: string, levels: string[], sequence: string | undefined, what: string): { folder: string; name: string } {
  if (!existsSync(from)) throw new FormatError('NOT_FOUND', 'does not exist', from);
  if (!statSync(from).isDirectory()) throw new FormatError('BAD_INPUT', `expected a ${what} folder`, from);
  // `from` may be the root (…/Annotations/480p/<seq>), any level below it, or the sequence folder itself.
  const container = levels
    .map((_, i) => path.join(from, ...levels.slice(i)))
    .find((candidate) => existsSync(candidate) && statSync(candidate).isDirectory());
  if (!container) return { folder: from, name: sequence ?? path.basename(from) };
  const sequences = folderEntries(container).filter((name) => statSync(path.join(container, name)).isDirectory()).sort();
  if (sequence !== undefined) {
    if (!sequences.includes(sequence)) throw new FormatError('NOT_FOUND', `has no sequence "${sequence}" (found ${sequences.join(', ') || 'none'})`, container);
    return { folder: path.join(container, sequence), name: sequence };
  }
  if (sequences.length === 1) return { folder: path.join(container, sequences[0]), name: sequences[0] };
  throw new FormatError('BAD_INPUT', `holds ${sequences.length} sequences (${sequences.slice(0, 10).join(', ')}${sequences.length > 10 ? ', …' : ''}); name one`, container);
}

/**
 * Reads a DAVIS sequence: DAVIS-2017 palette PNGs (every id 1..254 becomes a mask object, 255 a "void" object kept
 * as void) or DAVIS-2016 grey binary masks (0/255 or 0/1 → one object). Every PNG is decoded once here to check it
 * (size, palette, values), so a bad file fails before anything is written; frames are decoded again on use.
 */
export function importDavis(from: string, options: DavisImportOptions = {}): ImportedAnnotations {
  const { folder, name } = resolveSequenceFolder(from, ['Annotations', resolution], options.sequence, 'DAVIS');
  const frames = listFrameFiles(folder, 'png');
  if (frames.length === 0) throw new FormatError('NOT_FOUND', 'has no %05d.png annotation files', folder);
  const readOptions = { anyPalette: options.anyPalette, greyBinary: true };
  const { width, height, present } = scanLabelPngs(frames, readOptions);
  const objects: AnnotatedObject[] = [];
  for (let value = 1; value < 256; value++) {
    if (!present[value]) continue;
    objects.push({ id: `davis-${value}`, name: value === 255 ? 'void' : `object ${value}`, kind: 'mask', paletteIndex: value });
  }
  const warnings = objects.length === 0 ? [`${folder}: every annotation is background`] : [];
  return labelPngSource({ format: 'davis', origin: folder, name, width, height, frames, objects, options: readOptions, warnings });
}
