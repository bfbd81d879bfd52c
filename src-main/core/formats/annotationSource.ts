import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import type { Keypoint, ObjectKind } from '../store/types.ts';
import { FormatError } from './formatError.ts';

/** The annotation formats Correspond reads and writes (issue 7). */
export type AnnotationFormat = 'davis' | 'jhmdb' | 'vip' | 'coco' | 'cvat' | 'ytvos';
export const annotationFormats: readonly AnnotationFormat[] = ['davis', 'jhmdb', 'vip', 'coco', 'cvat', 'ytvos'];

/** One annotated object of a clip. */
export interface AnnotatedObject {
  /** Stable id within its source (the store's object id, or an id derived from the files on import). */
  id: string;
  name: string;
  kind: ObjectKind;
  /** 1..255: the value written into label maps (DAVIS/YouTube-VOS object id). By DAVIS convention 255 is void. */
  paletteIndex: number;
  /**
   * The object's label set (issue 21): its part classes, its skeleton, or the object classes its class comes from.
   * Exporters name joints, edges and classes from it; importers that read one make the project create it.
   */
  labelSet?: LabelSetDefinition;
  /** Mask objects: the object's class in `labelSet`. */
  classIndex?: number | null;
}

/**
 * One object's annotation on one frame. `labels` is H×W row-major (0/1 for masks, class ids for parts);
 * `keyframe` is true for annotations the annotator made (store source 'user'), false for propagated ones.
 */
export type FrameAnnotation = { objectId: string; keyframe: boolean } & (
  | { kind: 'labels'; labels: Uint8Array }
  | { kind: 'keypoints'; keypoints: Keypoint[] }
);

/**
 * Read side of a clip's annotations, the one thing exporters see: frames are read one at a time so an export
 * streams (a 10,000-frame clip never sits in memory whole). Implemented over ProjectStore
 * (projectAnnotationSource.ts), by importers (files read lazily) and by plain arrays in tests.
 */
export interface AnnotationSource {
  /** Clip or sequence name (sanitised before it becomes a path). */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly frameCount: number;
  readonly objects: readonly AnnotatedObject[];
  /** The annotations of frame `frameIndex`, in `objects` order; [] when the frame has none. */
  annotationsAt(frameIndex: number): FrameAnnotation[];
}

/** What an importer returns: the files as a source (validated on open, frame data read lazily) plus facts. */
export interface ImportedAnnotations extends AnnotationSource {
  readonly format: AnnotationFormat;
  /** The file or folder the annotations came from. */
  readonly origin: string;
  /** Frames that have annotations, ascending; annotationsAt() of any other frame is []. */
  readonly frameIndices: readonly number[];
  /**
   * True when the files fix the clip length (JHMDB's T, CVAT's task size, COCO's image list): the target clip must
   * have exactly `frameCount` frames. False when only the last annotated frame bounds it (DAVIS, VIP, YouTube-VOS).
   */
  readonly exactFrameCount: boolean;
  /** Things worth telling the user that did not stop the import. */
  readonly warnings: string[];
}

/** One decoded RGB frame handed to an exporter that also writes images. `data` is H×W×3, row-major. */
export interface RgbFrameAt {
  frameIndex: number;
  width: number;
  height: number;
  data: Uint8Array;
}

export interface ExportOptions {
  /** Only these objects (by id); default all objects the format can hold. */
  objectIds?: readonly string[];
  /** The clip's frames in order, when the format's image folder should be written too (JPEGImages, Rename_Images...). */
  frames?: () => AsyncIterable<RgbFrameAt>;
  /** DAVIS/YouTube-VOS/VIP: write a label PNG for every frame, not only the annotated ones. */
  allFrames?: boolean;
  /** Replace a destination folder that holds an earlier export and nothing else (swapped once the export is complete). */
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; message: string }) => void;
}

export interface ExportResult {
  format: AnnotationFormat;
  /** The destination folder, now holding the export. */
  out: string;
  /** Files written, relative to `out`, in writing order (at most the first 50; `fileCount` has them all). */
  files: string[];
  fileCount: number;
  frames: number;
  objects: number;
  warnings: string[];
}

export function objectById(source: AnnotationSource, id: string): AnnotatedObject | undefined {
  return source.objects.find((object) => object.id === id);
}

/** The objects an export covers: `kinds` only, filtered by `objectIds` when given (unknown ids are an error). */
export function selectObjects(
  source: AnnotationSource,
  kinds: readonly AnnotatedObject['kind'][],
  objectIds: readonly string[] | undefined,
): AnnotatedObject[] {
  if (objectIds) {
    const unknown = objectIds.filter((id) => !objectById(source, id));
    if (unknown.length > 0) throw new FormatError('BAD_INPUT', `unknown object id(s): ${unknown.join(', ')}`);
  }
  return source.objects.filter((object) => kinds.includes(object.kind) && (!objectIds || objectIds.includes(object.id)));
}

export const frameFileName = (frameIndex: number, extension: string, digits = 5): string =>
  `${String(frameIndex).padStart(digits, '0')}.${extension}`;
