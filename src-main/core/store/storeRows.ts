/* Row shapes as SQLite returns them, and their conversion to the camelCase records of types.ts. */
import { decodeMaskRle } from './maskCodec.ts';
import { StoreError } from './storeError.ts';
import { parseJsonObject } from './storeValidation.ts';
import type {
  AnnotationRecord,
  AnnotationSource,
  ClipRecord,
  ClipSourceKind,
  FrameStateRecord,
  Keypoint,
  LabelSetRecord,
  ModelRecord,
  ModelRole,
  ObjectKind,
  ObjectRecord,
  ProjectRecord,
  RunDirection,
  RunRecord,
  RunStatus,
} from './types.ts';

export interface ProjectRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface ClipRow {
  id: string;
  name: string;
  source_path: string;
  source_kind: ClipSourceKind;
  fps: number;
  width: number;
  height: number;
  frame_count: number;
  source_json: string;
  imported_at: string;
}

export interface ObjectRow {
  id: string;
  clip_id: string;
  name: string;
  kind: ObjectKind;
  palette_index: number;
  first_frame: number;
  last_frame: number | null;
  hidden: number;
  created_at: string;
  label_set_id: string | null;
  class_index: number | null;
}

export interface LabelSetRow {
  id: string;
  kind: LabelSetRecord['kind'];
  name: string;
  preset: string | null;
  definition_json: string;
  created_at: string;
}

export interface AnnotationRow {
  clip_id: string;
  frame_index: number;
  object_id: string;
  mask_rle: Uint8Array | null;
  mask_width: number | null;
  mask_height: number | null;
  keypoints_json: string | null;
  source: AnnotationSource;
  run_id: string | null;
  confidence: number | null;
  updated_at: string;
}

export interface FrameStateRow {
  clip_id: string;
  frame_index: number;
  reviewed: number;
  confidence: number | null;
}

export interface RunRow {
  id: string;
  clip_id: string;
  params_json: string;
  model_id: string | null;
  direction: RunDirection;
  status: RunStatus;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface ModelRow {
  id: string;
  name: string;
  role: ModelRole;
  file_path: string;
  sha256: string;
  stride: number | null;
  channels: number | null;
  metadata_json: string;
  registered_at: string;
}

/** What clip.source_json holds. */
export interface ClipSourceJson {
  imageFiles?: string[];
  details?: ClipRecord['sourceDetails'];
}

export function toProjectRecord(row: ProjectRow): ProjectRecord {
  return { id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function toClipRecord(row: ClipRow): ClipRecord {
  const source = JSON.parse(row.source_json) as ClipSourceJson;
  return {
    id: row.id,
    name: row.name,
    sourcePath: row.source_path,
    sourceKind: row.source_kind,
    fps: row.fps,
    width: row.width,
    height: row.height,
    frameCount: row.frame_count,
    imageFiles: source.imageFiles ?? null,
    sourceDetails: source.details ?? {},
    importedAt: row.imported_at,
  };
}

export function toObjectRecord(row: ObjectRow): ObjectRecord {
  return {
    id: row.id,
    clipId: row.clip_id,
    name: row.name,
    kind: row.kind,
    paletteIndex: row.palette_index,
    firstFrame: row.first_frame,
    lastFrame: row.last_frame,
    hidden: row.hidden === 1,
    createdAt: row.created_at,
    labelSetId: row.label_set_id,
    classIndex: row.class_index,
  };
}

export function toLabelSetRecord(row: LabelSetRow): LabelSetRecord {
  const body = JSON.parse(row.definition_json) as Pick<LabelSetRecord, 'classes' | 'joints' | 'edges' | 'flipPairs'>;
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    preset: row.preset,
    classes: body.classes ?? [],
    joints: body.joints ?? [],
    edges: body.edges ?? [],
    flipPairs: body.flipPairs ?? [],
    createdAt: row.created_at,
  };
}

export function toAnnotationRecord(row: AnnotationRow): AnnotationRecord {
  const common = {
    clipId: row.clip_id,
    frameIndex: row.frame_index,
    objectId: row.object_id,
    source: row.source,
    runId: row.run_id,
    confidence: row.confidence,
    updatedAt: row.updated_at,
  };
  if (row.keypoints_json !== null) {
    return { ...common, kind: 'keypoints', keypoints: JSON.parse(row.keypoints_json) as Keypoint[] };
  }
  const where = `annotation of object ${row.object_id} at frame ${row.frame_index}`;
  let labels;
  try {
    labels = decodeMaskRle(row.mask_rle!);
  } catch (error) {
    throw new StoreError('CORRUPT_DATA', `${where}: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (labels.width !== row.mask_width || labels.height !== row.mask_height) {
    throw new StoreError(
      'CORRUPT_DATA',
      `${where}: mask blob is ${labels.width}×${labels.height} but the row says ${row.mask_width}×${row.mask_height}`,
    );
  }
  return { ...common, kind: 'labels', labels };
}

export function toFrameStateRecord(row: FrameStateRow): FrameStateRecord {
  return { clipId: row.clip_id, frameIndex: row.frame_index, reviewed: row.reviewed === 1, confidence: row.confidence };
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    clipId: row.clip_id,
    params: parseJsonObject(row.params_json),
    modelId: row.model_id,
    direction: row.direction,
    status: row.status,
    errorMessage: row.error_message,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toModelRecord(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    filePath: row.file_path,
    sha256: row.sha256,
    stride: row.stride,
    channels: row.channels,
    metadata: parseJsonObject(row.metadata_json),
    registeredAt: row.registered_at,
  };
}
