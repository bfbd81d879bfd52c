/**
 * The slow half of an annotation import, done before the project is touched: every annotated frame of the files is
 * read, checked against the clip and encoded as the store keeps it (mask RLE, keypoints JSON). The result is small
 * (run-length encoded) and is written by `importIntoProject` in one short transaction.
 */
import { encodeMaskRle } from '../store/maskCodec.ts';
import { checkKeypoints } from '../store/storeValidation.ts';
import { importAnnotations, type ImportOptions } from './annotationFormats.ts';
import type { AnnotatedObject, AnnotationFormat, ImportedAnnotations } from './annotationSource.ts';
import { FormatError } from './formatError.ts';

/** What an import needs to know of the target clip. */
export interface ClipShape {
  name: string;
  width: number;
  height: number;
  frameCount: number;
}

/** One annotation as the store keeps it; `objectId` is the object's id in the imported files. */
export interface EncodedAnnotation {
  objectId: string;
  frameIndex: number;
  keyframe: boolean;
  /** Mask and part objects: the store's RLE blob (maskCodec.ts). */
  maskRle: Uint8Array | null;
  /** Keypoints objects: the checked keypoints as JSON. */
  keypointsJson: string | null;
}

/** Imported files, read, checked and encoded for one clip. */
export interface EncodedImport {
  format: AnnotationFormat;
  origin: string;
  objects: AnnotatedObject[];
  /** Annotated frames read. */
  frames: number;
  warnings: string[];
  rows: EncodedAnnotation[];
}

/** The files' frame size and length must fit the clip (checked before any frame is read). */
export function checkFitsClip(imported: ImportedAnnotations, clip: ClipShape): void {
  // Width 0 = the files do not tell the frame size (JHMDB keypoints alone); then any clip size is accepted.
  if (imported.width !== 0 && (imported.width !== clip.width || imported.height !== clip.height)) {
    throw new FormatError('MISMATCH', `annotations are ${imported.width}×${imported.height}, clip "${clip.name}" is ${clip.width}×${clip.height}`, imported.origin);
  }
  if (imported.exactFrameCount ? imported.frameCount !== clip.frameCount : imported.frameCount > clip.frameCount) {
    const what = imported.exactFrameCount ? `${imported.frameCount} frames` : `frames up to ${imported.frameCount - 1}`;
    throw new FormatError('MISMATCH', `has ${what}, clip "${clip.name}" has ${clip.frameCount} frames (0..${clip.frameCount - 1})`, imported.origin);
  }
}

/** Reads and encodes the annotations of one frame; a bad one throws a FormatError naming the file, frame and object. */
export function encodeFrame(imported: ImportedAnnotations, clip: ClipShape, frameIndex: number, objects: ReadonlyMap<string, AnnotatedObject>): EncodedAnnotation[] {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= clip.frameCount) {
    throw new FormatError('MISMATCH', `annotates frame ${frameIndex}, clip "${clip.name}" has frames 0..${clip.frameCount - 1}`, imported.origin);
  }
  return imported.annotationsAt(frameIndex).map((annotation) => {
    const object = objects.get(annotation.objectId);
    if (!object) throw new FormatError('BAD_FILE', `frame ${frameIndex} annotates an unknown object ${annotation.objectId}`, imported.origin);
    const where = `frame ${frameIndex}, object "${object.name}"`;
    const row = { objectId: object.id, frameIndex, keyframe: annotation.keyframe };
    if (object.kind === 'keypoints') {
      if (annotation.kind !== 'keypoints') throw new FormatError('BAD_FILE', `${where}: a keypoints object has a mask`, imported.origin);
      let keypoints;
      try {
        keypoints = checkKeypoints(annotation.keypoints);
      } catch (error) {
        throw new FormatError('BAD_FILE', `${where}: ${(error as Error).message}`, imported.origin);
      }
      return { ...row, maskRle: null, keypointsJson: JSON.stringify(keypoints) };
    }
    if (annotation.kind !== 'labels') throw new FormatError('BAD_FILE', `${where}: a ${object.kind} object has keypoints`, imported.origin);
    const labels = annotation.labels;
    if (labels.length !== clip.width * clip.height) {
      throw new FormatError('MISMATCH', `${where}: ${labels.length} labels, clip "${clip.name}" has ${clip.width}×${clip.height} pixels`, imported.origin);
    }
    if (object.kind === 'mask') {
      for (let i = 0; i < labels.length; i++) {
        if (labels[i]! > 1) throw new FormatError('BAD_FILE', `${where}: a mask holds value ${labels[i]} (masks are 0/1)`, imported.origin);
      }
    }
    return { ...row, maskRle: encodeMaskRle(labels, clip.width, clip.height), keypointsJson: null };
  });
}

/**
 * Encodes every annotated frame, handing the rows over in batches of about `sliceMs` of work; `onBatch` may wait
 * (to let the event loop run, or to post the batch to another thread).
 */
export async function encodeImport(
  imported: ImportedAnnotations,
  clip: ClipShape,
  onBatch: (rows: EncodedAnnotation[], done: number, total: number) => void | Promise<void>,
  sliceMs = 20,
): Promise<void> {
  const objects = new Map(imported.objects.map((object) => [object.id, object]));
  const total = imported.frameIndices.length;
  let batch: EncodedAnnotation[] = [];
  let sliceStart = performance.now();
  for (let done = 0; done < total; ) {
    batch.push(...encodeFrame(imported, clip, imported.frameIndices[done]!, objects));
    done++;
    if (done === total || performance.now() - sliceStart >= sliceMs) {
      await onBatch(batch, done, total);
      batch = [];
      sliceStart = performance.now();
    }
  }
}

/** `encodeImport` in one go, for callers that read small in-memory sources (tests, fixtures). */
export function encodeImportedAnnotations(imported: ImportedAnnotations, clip: ClipShape): EncodedImport {
  checkFitsClip(imported, clip);
  const objects = new Map(imported.objects.map((object) => [object.id, object]));
  return {
    format: imported.format,
    origin: imported.origin,
    objects: [...imported.objects],
    frames: imported.frameIndices.length,
    warnings: [...imported.warnings],
    rows: imported.frameIndices.flatMap((frameIndex) => encodeFrame(imported, clip, frameIndex, objects)),
  };
}

/** Opens the files, checks them against the clip and encodes every frame (batches go to `onBatch` as they are made). */
export async function readAndEncode(
  files: { format: AnnotationFormat; from: string; options: ImportOptions },
  clip: ClipShape,
  onBatch: (done: number, total: number) => void | Promise<void>,
  sliceMs?: number,
): Promise<EncodedImport> {
  const imported = importAnnotations(files.format, files.from, files.options);
  checkFitsClip(imported, clip);
  const encoded: EncodedImport = {
    format: imported.format,
    origin: imported.origin,
    objects: [...imported.objects],
    frames: imported.frameIndices.length,
    warnings: [...imported.warnings],
    rows: [],
  };
  await encodeImport(
    imported,
    clip,
    (rows, done, total) => {
      for (const row of rows) encoded.rows.push(row);
      return onBatch(done, total);
    },
    sliceMs,
  );
  return encoded;
}
