import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnnotatedObject, AnnotationSource, ExportOptions, ImportedAnnotations } from './annotationSource.ts';
import { frameFileName, selectObjects } from './annotationSource.ts';
import { type FormatExportSummary, resolveSequenceFolder } from './davisFormat.ts';
import type { ExportWriter } from './exportWriter.ts';
import { FormatError, cancellableSlices } from './formatError.ts';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import { vocHex } from '../vocabulary/labelSets.ts';
import { applyLabelSetSidecar, readLabelSetSidecar, writeLabelSetSidecar } from './labelSetSidecar.ts';
import { writeJpegFrames } from './jpegFrameWriter.ts';
import { composeIndexMap } from './labelMaps.ts';
import { type ExpectedFrameSize, labelPngSource, listFrameFiles, scanLabelPngs } from './labelPngSequence.ts';
import { encodeIndexedPng } from './png.ts';
import { sequenceNameOf } from './safeNames.ts';

// YouTube-VOS layout: Annotations/<video>/<frame>.png (palette PNGs like DAVIS, value = object id), optional
// JPEGImages/<video>/<frame>.jpg, and meta.json {"videos": {<video>: {"objects": {<id>: {"category", "frames"}}}}}
// listing, per object, the frames it is annotated on. Frame names are the frame numbers (YouTube-VOS keeps every
// 5th frame of the original, so names may skip); ours are the clip's frame indices.

interface YtvosMeta {
  videos?: Record<string, { objects?: Record<string, { category?: unknown; name?: unknown; frames?: unknown }> }>;
}

export async function exportYoutubeVos(source: AnnotationSource, writer: ExportWriter, options: ExportOptions & { sequenceName?: string } = {}): Promise<FormatExportSummary> {
  const objects = selectObjects(source, ['mask'], options.objectIds);
  if (objects.length === 0) throw new FormatError('BAD_INPUT', 'the clip has no mask objects to write as YouTube-VOS annotations');
  const video = sequenceNameOf(source.name, options.sequenceName);
  const framesOf = new Map(objects.map((object) => [object.id, [] as string[]]));
  let framesWritten = 0;
  let overlapPixels = 0;
  const pause = cancellableSlices();
  for (let frameIndex = 0; frameIndex < source.frameCount; frameIndex++) {
    await pause(options.signal);
    const annotations = source.annotationsAt(frameIndex).filter((a) => framesOf.has(a.objectId));
    if (annotations.length === 0 && !options.allFrames) continue;
    const composed = composeIndexMap(source.width, source.height, objects, annotations);
    overlapPixels += composed.overlapPixels;
    const name = frameFileName(frameIndex, 'png');
    writer.writeFile(['Annotations', video, name], encodeIndexedPng({ width: source.width, height: source.height, indices: composed.indices }));
    for (const annotation of annotations) framesOf.get(annotation.objectId)!.push(name.slice(0, -4));
    framesWritten++;
    options.onProgress?.({ done: frameIndex + 1, total: source.frameCount, message: `YouTube-VOS frame ${frameIndex + 1} of ${source.frameCount}` });
  }
  if (framesWritten === 0) throw new FormatError('BAD_INPUT', 'no frame of the clip has a mask annotation');
  const meta = {
    videos: {
      // category = the object's class (issue 21), else its name as before; `name` (ours) keeps the name of a classed object.
      [video]: {
        objects: Object.fromEntries(objects.map((object) => {
          const className = classNameOf(object);
          return [String(object.paletteIndex), { category: className ?? object.name, ...(className ? { name: object.name } : {}), frames: framesOf.get(object.id) }];
        })),
      },
    },
  };
  writer.writeFile(['meta.json'], `${JSON.stringify(meta, null, 1)}\n`);
  writeLabelSetSidecar(writer, objects);
  if (options.frames) {
    const folder = writer.folder(['JPEGImages', video]);
    await writeJpegFrames(options.frames(), folder, { width: source.width, height: source.height, frameCount: source.frameCount, signal: options.signal });
    writer.noteFiles(['JPEGImages', video, '*.jpg']);
  }
  const warnings = overlapPixels > 0 ? [`${overlapPixels} pixels belong to several objects; the higher object id was written`] : [];
  return { frames: framesWritten, objects: objects.length, warnings };
}

function classNameOf(object: AnnotatedObject): string | undefined {
  return object.labelSet?.kind === 'classes' && object.classIndex != null ? object.labelSet.classes[object.classIndex]?.name : undefined;
}

/** meta.json categories become one object-class set "YouTube-VOS categories" (sorted by name, VOC colours). */
function classesFromCategories(categoryOf: Map<AnnotatedObject, string>): void {
  if (categoryOf.size === 0) return;
  const names = [...new Set(categoryOf.values())].sort();
  const labelSet: LabelSetDefinition = {
    kind: 'classes', name: 'YouTube-VOS categories', classes: names.map((name, index) => ({ name, color: vocHex(index + 1) })), joints: [], edges: [], flipPairs: [],
  };
  for (const [object, category] of categoryOf) Object.assign(object, { labelSet, classIndex: names.indexOf(category) });
}

function readMeta(file: string): YtvosMeta {
  const bytes = readFileSync(file);
  if (bytes.length === 0) throw new FormatError('BAD_FILE', 'the file is empty (0 bytes)', file);
  try {
    const meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as YtvosMeta;
    if (typeof meta !== 'object' || meta === null || typeof meta.videos !== 'object' || meta.videos === null) throw new Error('no "videos" object');
    return meta;
  } catch (error) {
    throw new FormatError('BAD_FILE', `is not a YouTube-VOS meta.json (${(error as Error).message})`, file);
  }
}

/**
 * Reads one YouTube-VOS video. With meta.json, objects are its ids (name = category) and each is annotated on the
 * frames it lists (a listed frame without a PNG is an error); without it, like DAVIS, every id seen is an object
 * on every frame.
 */
export function importYoutubeVos(from: string, options: { sequence?: string; anyPalette?: boolean; frameSize?: ExpectedFrameSize } = {}): ImportedAnnotations {
  const { folder, name } = resolveSequenceFolder(from, ['Annotations'], options.sequence, 'YouTube-VOS');
  const frames = listFrameFiles(folder, 'png');
  if (frames.length === 0) throw new FormatError('NOT_FOUND', 'has no annotation PNGs', folder);
  const readOptions = { anyPalette: options.anyPalette };
  const { width, height, present } = scanLabelPngs(frames, readOptions, options.frameSize);
  const metaFile = [path.join(from, 'meta.json'), path.join(folder, '..', '..', 'meta.json')].find(existsSync);
  const entry = metaFile ? readMeta(metaFile).videos![name] : undefined;
  if (!entry) {
    const objects: AnnotatedObject[] = present.flatMap((seen, value) => (seen && value > 0 ? [{ id: `ytvos-${value}`, name: `object ${value}`, kind: 'mask' as const, paletteIndex: value }] : []));
    const warnings = metaFile ? [`${metaFile} does not list video "${name}"; every object is taken as annotated on every frame`] : [];
    return labelPngSource({ format: 'ytvos', origin: folder, name, width, height, frames, objects, options: readOptions, warnings });
  }
  const known = new Set(frames.map((frame) => path.basename(frame.file, '.png')));
  const onFrame = new Map<number, AnnotatedObject[]>();
  const objects: AnnotatedObject[] = [];
  const categoryOf = new Map<AnnotatedObject, string>();
  for (const [id, object] of Object.entries(entry.objects ?? {})) {
    const value = Number(id);
    if (!Number.isInteger(value) || value < 1 || value > 255) throw new FormatError('BAD_FILE', `object id "${id}" of video "${name}" is not 1..255`, metaFile);
    if (!Array.isArray(object.frames) || !object.frames.every((f) => typeof f === 'string')) throw new FormatError('BAD_FILE', `object ${id} of video "${name}" has no "frames" list of names`, metaFile);
    const category = typeof object.category === 'string' && object.category.trim() ? object.category : undefined;
    const ownName = typeof object.name === 'string' && object.name.trim() ? object.name : undefined;
    const annotated: AnnotatedObject = { id: `ytvos-${value}`, name: ownName ?? category ?? `object ${value}`, kind: 'mask', paletteIndex: value };
    // With our `name`, the category is the object's class; another tool's categories stay object names as before.
    if (category && ownName) categoryOf.set(annotated, category);
    objects.push(annotated);
    for (const frameName of object.frames as string[]) {
      if (!known.has(frameName)) throw new FormatError('MISMATCH', `object ${id} of video "${name}" lists frame ${frameName}, which has no PNG in ${folder}`, metaFile);
      const frameIndex = Number(frameName);
      onFrame.set(frameIndex, [...(onFrame.get(frameIndex) ?? []), annotated]);
    }
  }
  classesFromCategories(categoryOf);
  applyLabelSetSidecar(objects, readLabelSetSidecar(from, folder));
  const unlisted = present.findIndex((seen, value) => seen && value > 0 && !objects.some((o) => o.paletteIndex === value));
  const warnings = unlisted > 0 ? [`${folder}: id ${unlisted} appears in the PNGs but not in meta.json; it is not imported`] : [];
  const order = (list: AnnotatedObject[]) => objects.filter((o) => list.includes(o));
  const annotatedFrames = frames.filter((frame) => onFrame.has(frame.frameIndex));
  return labelPngSource({ format: 'ytvos', origin: folder, name, width, height, frames: annotatedFrames, objects, options: readOptions, warnings, objectsOnFrame: (frameIndex) => order(onFrame.get(frameIndex) ?? []) });
}
