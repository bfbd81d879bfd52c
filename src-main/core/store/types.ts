/**
 * Plain records returned by ProjectStore / ProjectLibrary. Timestamps are ISO 8601 UTC strings
 * (`2025-01-31T12:00:00.000Z`); ids are UUID strings.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type ClipSourceKind = 'video' | 'images';
export type ObjectKind = 'mask' | 'part' | 'keypoints';
export type AnnotationSource = 'user' | 'propagated';
export type RunDirection = 'forward' | 'backward' | 'both';
export type RunStatus = 'running' | 'finished' | 'cancelled' | 'failed';
export type ModelRole = 'semantic' | 'fine-grained' | 'pixels';

export const clipSourceKinds: readonly ClipSourceKind[] = ['video', 'images'];
export const objectKinds: readonly ObjectKind[] = ['mask', 'part', 'keypoints'];
export const annotationSources: readonly AnnotationSource[] = ['user', 'propagated'];
export const runDirections: readonly RunDirection[] = ['forward', 'backward', 'both'];
export const modelRoles: readonly ModelRole[] = ['semantic', 'fine-grained', 'pixels'];

/**
 * A cancelled run's error message when nobody cancelled it: its window closed or reloaded, or the engine stopped
 * (a crash or kill, found when the project is next opened). The frames it saved are kept.
 */
export const RUN_INTERRUPTED_MESSAGE = 'interrupted: the app closed, reloaded or stopped during the run';

export interface StoreOptions {
  /** Path to a better_sqlite3.node built for the running ABI (Electron passes its own). */
  nativeBinding?: string;
  /** How long a statement waits on a lock held by another connection before failing. Default 5000. */
  busyTimeoutMs?: number;
  /** How many undo steps a clip keeps (default `defaultHistoryLimits`: 200, up to 1000 to keep the last run). */
  historyLimits?: HistoryLimits;
}

export interface HistoryLimits {
  /** Steps kept per clip. */
  steps: number;
  /** Steps kept per clip when more are needed to keep the last propagation run undoable. */
  stepsKeepingLastRun: number;
}

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface ClipRecord {
  id: string;
  name: string;
  /** The video file, or the folder the image sequence came from. */
  sourcePath: string;
  sourceKind: ClipSourceKind;
  fps: number;
  width: number;
  height: number;
  frameCount: number;
  /** For 'images' clips: one path per frame, in frame order (length = frameCount); null for videos. */
  imageFiles: string[] | null;
  /** Free-form source facts (codec, duration, probe output...). */
  sourceDetails: JsonObject;
  importedAt: string;
}

export interface NewClip {
  name: string;
  sourcePath: string;
  sourceKind: ClipSourceKind;
  fps: number;
  width: number;
  height: number;
  frameCount: number;
  /** Required for 'images' clips (length = frameCount), forbidden for videos. */
  imageFiles?: string[];
  sourceDetails?: JsonObject;
}

export interface ThumbnailInput {
  frameIndex: number;
  /** JPEG bytes. */
  jpeg: Uint8Array;
}

export interface ObjectRecord {
  id: string;
  clipId: string;
  name: string;
  kind: ObjectKind;
  /** Index into the annotation palette (1..255; 0 is background). */
  paletteIndex: number;
  firstFrame: number;
  /** Last frame the object exists in, inclusive; null = until the end of the clip. */
  lastFrame: number | null;
  hidden: boolean;
  createdAt: string;
  /** Its label set: a part set (part objects) or skeleton (keypoints objects); a class set or null (mask objects). */
  labelSetId: string | null;
  /** Mask objects: the class in `labelSetId`, or null. */
  classIndex: number | null;
}

export interface NewObject {
  clipId: string;
  name: string;
  kind: ObjectKind;
  /** Default: the smallest palette index not used by another object of the clip. */
  paletteIndex?: number;
  firstFrame?: number;
  lastFrame?: number | null;
  hidden?: boolean;
  /** Part/keypoints objects: default the project's first set of their kind. */
  labelSetId?: string | null;
  classIndex?: number | null;
}

export interface ObjectPatch {
  name?: string;
  paletteIndex?: number;
  firstFrame?: number;
  lastFrame?: number | null;
  hidden?: boolean;
  labelSetId?: string | null;
  classIndex?: number | null;
}

/** A label set of the project (see `LabelSetDefinition` in the API contract). */
export interface LabelSetRecord {
  id: string;
  kind: 'classes' | 'parts' | 'skeleton';
  name: string;
  preset: string | null;
  classes: Array<{ name: string; color: string }>;
  joints: Array<{ name: string; defaultVisibility: KeypointVisibility }>;
  edges: Array<[number, number]>;
  flipPairs: Array<[number, number]>;
  createdAt: string;
}

/** A row-major height×width map of uint8 values: 0/1 for 'mask' objects, class ids for 'part' objects. */
export interface LabelMap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** 0 = not labelled, 1 = labelled but occluded, 2 = visible (COCO convention). */
export type KeypointVisibility = 0 | 1 | 2;

export interface Keypoint {
  /** Pixel coordinates in the clip frame. */
  x: number;
  y: number;
  visibility: KeypointVisibility;
}

/** A mask/part annotation carries `labels`; a keypoints annotation carries `keypoints`. */
export type AnnotationPayload =
  | { kind: 'labels'; labels: LabelMap }
  | { kind: 'keypoints'; keypoints: Keypoint[] };

export type AnnotationRecord = AnnotationPayload & {
  clipId: string;
  frameIndex: number;
  objectId: string;
  /** 'user' = keyframe authored by the annotator; 'propagated' = produced by run `runId`. */
  source: AnnotationSource;
  runId: string | null;
  /** 0..1, or null when unknown. */
  confidence: number | null;
  updatedAt: string;
};

export type AnnotationInput = AnnotationPayload & {
  objectId: string;
  frameIndex: number;
  source: AnnotationSource;
  /** Required when source is 'propagated', forbidden when 'user'. */
  runId?: string | null;
  confidence?: number | null;
};

/** An annotation already encoded as the store keeps it (imports encode their frames before the transaction). */
export interface EncodedAnnotationInput {
  objectId: string;
  frameIndex: number;
  source: AnnotationSource;
  runId: string | null;
  /** Mask and part objects: an RLE blob of maskCodec at the clip's size (binary for masks); else null. */
  maskRle: Uint8Array | null;
  /** Keypoints objects: JSON of checked keypoints; else null. */
  keypointsJson: string | null;
}

export interface FrameStateRecord {
  clipId: string;
  frameIndex: number;
  reviewed: boolean;
  confidence: number | null;
}

export interface FrameStatePatch {
  reviewed?: boolean;
  confidence?: number | null;
}

export interface RunRecord {
  id: string;
  clipId: string;
  params: JsonObject;
  modelId: string | null;
  direction: RunDirection;
  status: RunStatus;
  errorMessage: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface NewRun {
  clipId: string;
  params: JsonObject;
  modelId: string | null;
  direction: RunDirection;
}

export interface ModelRecord {
  id: string;
  name: string;
  role: ModelRole;
  filePath: string;
  /** Lower-case hex SHA-256 of the model file. */
  sha256: string;
  /** Pixels per feature cell; null when not applicable. */
  stride: number | null;
  /** Feature channels; null when not applicable. */
  channels: number | null;
  metadata: JsonObject;
  registeredAt: string;
}

export interface NewModel {
  name: string;
  role: ModelRole;
  filePath: string;
  sha256: string;
  stride?: number | null;
  channels?: number | null;
  metadata?: JsonObject;
}

export interface ProjectSummary {
  /** The file stem: `<id>.correspond`. */
  id: string;
  filePath: string;
  /** For an unreadable file: the file name. */
  name: string;
  /** For an unreadable file: the file's modification time. */
  updatedAt: string;
  clipCount: number;
  /** Present when the file could not be read as a project; the other fields are then placeholders. */
  error?: { code: string; message: string };
}
