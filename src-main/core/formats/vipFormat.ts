import type { AnnotationSource, ExportOptions, ImportedAnnotations } from './annotationSource.ts';
import { frameFileName, selectObjects } from './annotationSource.ts';
import { type FormatExportSummary, resolveSequenceFolder } from './davisFormat.ts';
import type { ExportWriter } from './exportWriter.ts';
import { FormatError, cancellableSlices } from './formatError.ts';
import { writeJpegFrames } from './jpegFrameWriter.ts';
import { checkLabelPngHeaders, type ExpectedFrameSize, labelPngSource, listFrameFiles, readLabelPng } from './labelPngSequence.ts';
import { encodeGreyPng } from './png.ts';
import { readLabelSetSidecar, sidecarPartSet, writeLabelSetSidecar } from './labelSetSidecar.ts';
import { sequenceNameOf } from './safeNames.ts';
import { vipClassNames } from '../vocabulary/labelSets.ts';

// VIP (SPEC §4): VIP_Fine/Category_ids/<video>/*.png, 8-bit grey PNGs whose value is the class id of the 20
// classes (0 background … 19 left-shoe); frames optionally as Images/<video>/%05d.jpg. Part objects carry class ids
// already; several are painted into one map (ascending palette index, later wins on overlap, reported).
// A part set of the annotator's own (issue 21) is written the same way, class id = its index in the set; its names
// and colours go in the label set file beside it, which our import reads back (without one, ids are VIP classes).

export { vipClassNames };
/** Pixels to ignore are sometimes marked 255; it is no class but is kept as it is. */
const ignoreValue = 255;

export async function exportVip(source: AnnotationSource, writer: ExportWriter, options: ExportOptions & { sequenceName?: string } = {}): Promise<FormatExportSummary> {
  const objects = selectObjects(source, ['part'], options.objectIds).sort((a, b) => a.paletteIndex - b.paletteIndex);
  if (objects.length === 0) throw new FormatError('BAD_INPUT', 'the clip has no part objects to write as VIP class-id maps');
  const partSets = [...new Set(objects.map((object) => JSON.stringify(object.labelSet?.classes ?? null)))];
  const classCount = objects[0]!.labelSet?.classes.length ?? vipClassNames.length;
  const video = sequenceNameOf(source.name, options.sequenceName);
  let framesWritten = 0;
  let overlapPixels = 0;
  const foreign = new Set<number>();
  const pause = cancellableSlices();
  for (let frameIndex = 0; frameIndex < source.frameCount; frameIndex++) {
    await pause(options.signal);
    const annotations = objects.flatMap((object) => source.annotationsAt(frameIndex).filter((a) => a.objectId === object.id && a.kind === 'labels'));
    if (annotations.length === 0 && !options.allFrames) continue;
    const classes = new Uint8Array(source.width * source.height);
    for (const annotation of annotations) {
      if (annotation.kind !== 'labels') continue;
      annotation.labels.forEach((value, i) => {
        if (value === 0) return;
        if (classes[i] !== 0) overlapPixels++;
        if (value >= classCount && value !== ignoreValue) foreign.add(value);
        classes[i] = value;
      });
    }
    writer.writeFile(['Category_ids', video, frameFileName(frameIndex, 'png')], encodeGreyPng(source.width, source.height, classes));
    framesWritten++;
    options.onProgress?.({ done: frameIndex + 1, total: source.frameCount, message: `VIP frame ${frameIndex + 1} of ${source.frameCount}` });
  }
  if (framesWritten === 0) throw new FormatError('BAD_INPUT', 'no frame of the clip has a part annotation');
  if (options.frames) {
    const folder = writer.folder(['Images', video]);
    await writeJpegFrames(options.frames(), folder, { width: source.width, height: source.height, frameCount: source.frameCount, signal: options.signal });
    writer.noteFiles(['Images', video, '*.jpg']);
  }
  const warnings: string[] = [];
  if (partSets.length > 1) warnings.push(`the part objects use ${partSets.length} different part sets; one class-id map holds the ids of all of them, named after "${objects[0]!.labelSet?.name ?? 'VIP'}"`);
  writeLabelSetSidecar(writer, objects);
  if (overlapPixels > 0) warnings.push(`${overlapPixels} pixels are claimed by several part objects; the later object's class was written`);
  if (foreign.size > 0) warnings.push(`class ids ${[...foreign].sort((a, b) => a - b).join(', ')} are not classes of the part set (0..${classCount - 1})`);
  return { frames: framesWritten, objects: objects.length, warnings };
}

/** Reads Category_ids/<video> (or the video folder) into one part object "parsing". Every file is checked first. */
export function importVip(from: string, options: { sequence?: string; frameSize?: ExpectedFrameSize } = {}): ImportedAnnotations {
  const { folder, name } = resolveSequenceFolder(from, ['Category_ids'], options.sequence, 'VIP');
  const frames = listFrameFiles(folder, 'png');
  if (frames.length === 0) throw new FormatError('NOT_FOUND', 'has no class-id PNGs', folder);
  const readOptions = { greyValues: true, anyPalette: true };
  const size = checkLabelPngHeaders(frames, options.frameSize);
  // Without our label set file the ids are VIP's; the object then uses the project's part set (VIP by default).
  const labelSet = sidecarPartSet(readLabelSetSidecar(from, folder));
  const classCount = labelSet?.classes.length ?? vipClassNames.length;
  const what = labelSet ? `a class id of "${labelSet.name}"` : 'a VIP class id';
  for (const { file } of frames) {
    const image = readLabelPng(file, readOptions);
    if (image.width !== size.width || image.height !== size.height) {
      throw new FormatError('MISMATCH', `is ${image.width}×${image.height}, the earlier frames are ${size.width}×${size.height}`, file);
    }
    const bad = image.indices.find((value) => value >= classCount && value !== ignoreValue);
    if (bad !== undefined) throw new FormatError('BAD_FILE', `pixel value ${bad} is not ${what} (0..${classCount - 1}, or 255 = ignore)`, file);
  }
  const objects = [{ id: 'vip-parsing', name: 'parsing', kind: 'part' as const, paletteIndex: 1, ...(labelSet ? { labelSet } : {}) }];
  return labelPngSource({ format: 'vip', origin: folder, name, ...size, frames, objects, options: readOptions });
}
