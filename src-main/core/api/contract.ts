/**
 * The one API contract of Correspond (house rule 2). Electron binds it with `ipcMain.handle` + one preload object,
 * the browser host binds it over HTTP + WebSocket; both are generic proxies over `CorrespondApi`, so adding a method
 * touches only this file, its validation schema (`apiSchema.ts`) and its implementation.
 *
 * Shape rules: every method takes at most one plain-object argument and returns a promise. Long calls also take
 * `CallOptions` (progress + cancellation); across a process boundary the binding carries both.
 * This file holds types only, so the renderer may `import type` it.
 */
import type { ObjectKind } from '../store/types.ts';

/** An error as it crosses the boundary: a stable code and a sentence for the user, never a stack trace. */
export interface ApiErrorShape {
  code: string;
  message: string;
}

export interface Progress {
  done: number;
  total: number;
  message?: string;
  /** Propagation: the frame just saved (the UI refreshes it for a live preview). */
  frameIndex?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

// ---------------------------------------------------------------------------------------------------------------
// Data shapes

export interface ComputeDeviceInfo {
  device: 'cpu' | 'cuda';
  /** Short text for the status bar, e.g. "CPU · 2 threads". */
  label: string;
  /** Why this device was chosen, e.g. "no CUDA execution provider installed". */
  reason: string;
  threads: number;
}

export interface AppInfo {
  version: string;
  /** 'electron' in the desktop app, 'browser' behind the browser host. */
  host: 'electron' | 'browser';
  computeDevice: ComputeDeviceInfo;
  ffmpeg: { available: boolean; version?: string; problem?: string };
  libraryDirectory: string;
}

export interface ProjectSummary {
  id: string;
  name: string;
  updatedAt: string;
  clipCount: number;
  /** Set when the project file cannot be opened (corrupt, from a newer version…); the project is listed anyway. */
  problem?: string;
}

export type ClipSourceKind = 'video' | 'images';

export interface ClipSummary {
  id: string;
  name: string;
  sourcePath: string;
  sourceKind: ClipSourceKind;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  importedAt: string;
}

export interface ProjectDetails {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  clips: ClipSummary[];
}

/** One decoded frame: `rgb` is height×width×3, row-major. */
export interface FrameImage {
  frameIndex: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface Thumbnail {
  frameIndex: number;
  jpeg: Uint8Array;
}

export type DirectoryEntryKind = 'directory' | 'video' | 'image' | 'other';

export interface DirectoryEntry {
  name: string;
  path: string;
  kind: DirectoryEntryKind;
}

export interface DirectoryListing {
  path: string;
  parent: string | null;
  entries: DirectoryEntry[];
  /** Number of image files directly inside: such a folder can be imported as an image sequence. */
  imageCount: number;
}

/** One ObjectKind in core: the project store's. */
export type { ObjectKind };

/** An annotated object of a clip (a mask, a part map, or a 15-joint skeleton). */
export interface ObjectSummary {
  id: string;
  clipId: string;
  name: string;
  kind: ObjectKind;
  /** DAVIS/VOC palette index (1..255) of its colour. */
  paletteIndex: number;
  firstFrame: number;
  lastFrame: number | null;
  hidden: boolean;
}

/** 0 = absent, 1 = occluded, 2 = visible (COCO convention). */
export type KeypointVisibility = 0 | 1 | 2;

export interface KeypointValue {
  x: number;
  y: number;
  visibility: KeypointVisibility;
}

/** One object's labels on one frame. */
export interface ObjectAnnotation {
  objectId: string;
  /** 'user' = a keyframe the annotator authored; 'propagated' = computed. */
  source: 'user' | 'propagated';
  /** 0..1 for propagated labels, null otherwise. */
  confidence: number | null;
  /** mask/part objects: height×width bytes (0/1 for masks, class ids for parts). */
  mask?: Uint8Array;
  /** keypoints objects: the joints in frame pixels. */
  keypoints?: KeypointValue[];
}

export interface FrameAnnotations {
  frameIndex: number;
  width: number;
  height: number;
  annotations: ObjectAnnotation[];
}

/** The mask tool an edit came from; it names the step in the undo history ("brush on frame 20"). */
export type MaskEditTool = 'brush' | 'eraser' | 'polygon' | 'fillHoles';

/** Per-frame facts for the timeline. */
export interface ClipTimeline {
  frameCount: number;
  /** Frames where some object has a user-authored annotation. */
  keyframes: number[];
  /** Frames that hold propagated labels. */
  propagated: number[];
  /** Per frame: mean confidence of its propagated labels (null where none). */
  confidence: Array<number | null>;
  reviewed: boolean[];
}

/** What Undo and Redo would do on a clip. */
export interface HistoryStatus {
  canUndo: boolean;
  canRedo: boolean;
  /** The step Undo reverts, e.g. "brush on frame 20", "propagation (29 frames)". */
  undoLabel?: string;
  /** The step Redo applies again. */
  redoLabel?: string;
  /** A propagation run of the clip is still writing: undo and redo wait for it to end. */
  busy: boolean;
}

/** What one undo or redo changed, so the UI refreshes exactly that. */
export interface HistoryChange {
  /** The step undone or redone. */
  label: string;
  /** Objects whose row or labels changed. */
  objectIds: string[];
  /** Frames whose labels or state changed; null when only object rows changed. */
  frames: { first: number; last: number } | null;
  /** Objects were created, changed or deleted (the object list needs reloading). */
  objectsChanged: boolean;
  status: HistoryStatus;
}

export type PropagationMode = 'forward' | 'backward' | 'fill';

export interface PropagationRequest {
  projectId: string;
  clipId: string;
  /** Objects to propagate (default: every visible mask/part object with a keyframe). */
  objectIds?: string[];
  /** forward/backward: from `fromFrame` (a keyframe) to `toFrame` (default: the clip's end/start); fill: between keyframes. */
  mode: PropagationMode;
  fromFrame?: number;
  toFrame?: number;
  /** Feature stream spec (default "default+fc@1.75": the semantic default fused with the shipped FC). */
  stream?: string;
}

export interface PropagationSummary {
  runId: string;
  mode: PropagationMode;
  framesWritten: number;
  msPerFrame: number;
  device: string;
  stream: string;
  cancelled: boolean;
}

/** A feature model the engine can use as a stream (or part of a fusion). */
export interface ModelInfo {
  /** What goes into a stream spec: "default", "pixels", or the registered model's name. */
  streamName: string;
  name: string;
  origin: 'embedded' | 'built-in' | 'imported';
  role: 'semantic' | 'fine-grained' | 'pixels' | 'unknown';
  channels: number;
  stride: number;
  /** Model file size; 0 for the weight-free pixels stream. */
  bytes: number;
  preset: string | null;
  /** Which device runs it, e.g. "CPU · 2 threads". */
  device: string;
  description: string;
}

export interface ModelPreset {
  name: string;
  description: string;
  role: 'semantic' | 'fine-grained';
}

/** Fine-tuning of the fine-grained (FC) features on the project's own footage, in a background worker. */
/** DAVIS region (J) and boundary (F) measures, 0–1, and their mean. */
export interface HeldOutScore {
  J: number;
  F: number;
  JF: number;
}

/**
 * The trained model scored on user keyframes it never saw: one mask object is propagated from its first keyframe
 * alone with the stream before and the stream after training; its later keyframes are the ground truth.
 */
export interface HeldOutEvaluation {
  state: 'running' | 'done' | 'failed';
  clipName: string;
  objectName: string;
  inputFrame: number;
  heldOutFrames: number[];
  beforeStream: string;
  afterStream: string;
  before?: HeldOutScore;
  after?: HeldOutScore;
  message: string;
}

export interface TrainingStatus {
  /** unavailable: no Python with torch (see `problem`); idle: never run in this project. */
  state: 'unavailable' | 'idle' | 'starting' | 'running' | 'paused' | 'finished' | 'cancelled' | 'failed';
  problem?: string;
  /** e.g. "CPU (torch 1.13.0)" once the worker reported it. */
  device?: string;
  /** The network being trained and its views, e.g. "MobileNetV2 · 8 × 192² views", once the run started. */
  network?: string;
  step: number;
  totalSteps: number;
  /** Loss per reported step, oldest first (for the loss plot). */
  losses: Array<{ step: number; loss: number }>;
  imagesPerSecond: number;
  etaSeconds: number;
  /** Frames the run trains on. */
  frameCount: number;
  /** The project's trained FC model (stream name) once a run exported one. */
  model?: string;
  /** After an export, when a trained clip has a mask object with two or more user keyframes. */
  evaluation?: HeldOutEvaluation;
  message: string;
}

/** The annotation file formats Correspond writes and reads (DAVIS, JHMDB, VIP, COCO, CVAT video XML, YouTube-VOS). */
export type ExchangeFormat = 'davis' | 'jhmdb' | 'vip' | 'coco' | 'cvat' | 'ytvos';

/** What one format can hold and which options apply, so the UI offers only possible choices. */
export interface ExchangeFormatInfo {
  format: ExchangeFormat;
  /** e.g. "DAVIS 2017". */
  name: string;
  /** One line: what the files are. */
  description: string;
  /** Object kinds an export writes (others are left out, with a warning where the format says so). */
  exportKinds: ObjectKind[];
  /** Object kinds an import creates. */
  importKinds: ObjectKind[];
  /** Export options that apply to this format. */
  exportOptions: {
    /** The clip's frames can be written too; `framesDescription` says as what. */
    includeFrames: boolean;
    framesDescription?: string;
    /** A label file for every frame, not only annotated ones. */
    allFrames: boolean;
    /** JHMDB: the action class folder. */
    className: boolean;
  };
  /** Import reads a file (COCO JSON, CVAT XML, joint_positions.mat) or a folder, or either. */
  importSource: 'folder' | 'file' | 'file-or-folder';
  /** Import option: accept label PNGs whose palette is not the VOC colour map (DAVIS, YouTube-VOS). */
  anyPalette: boolean;
}

export interface ExportRequest {
  projectId: string;
  /** Clips to export (default: every clip of the project). With several, each gets its own folder in the export. */
  clipIds?: string[];
  format: ExchangeFormat;
  /** An existing folder; the export is written as a new folder `folderName` inside it, and nowhere else. */
  destination: string;
  /** Default: "<clip name>-<format>" for one clip, "<project name>-<format>" for several. */
  folderName?: string;
  options?: {
    /** Also write the clip's frames (decoded from its source): JPEG for DAVIS/COCO/VIP/YouTube-VOS, PNG for JHMDB. */
    includeFrames?: boolean;
    /** DAVIS/VIP/YouTube-VOS: a label PNG for every frame, not only annotated ones. */
    allFrames?: boolean;
    /** JHMDB action class folder (default "annotated"). */
    className?: string;
    /** Replace `folderName` when it exists and is not empty (swapped only once the export is complete). */
    overwrite?: boolean;
  };
}

export interface ExportSummary {
  format: ExchangeFormat;
  /** The folder now holding the export. */
  path: string;
  clips: Array<{ clipId: string; name: string; path: string; frames: number; objects: number }>;
  /** Frames with annotations written, over all clips. */
  frames: number;
  fileCount: number;
  warnings: string[];
}

export interface ImportRequest {
  projectId: string;
  clipId: string;
  format: ExchangeFormat;
  /** A file or folder of the engine's machine (see ExchangeFormatInfo.importSource). */
  sourcePath: string;
  /** The sequence/video to read when the source holds several (JHMDB: "<class>/<video>"). */
  sequence?: string;
  /** DAVIS/YouTube-VOS: accept palettes other than the VOC colour map. */
  anyPalette?: boolean;
  /** Delete the clip's objects first (same transaction); default: add the imported objects beside them. */
  replace?: boolean;
}

export interface ImportSummary {
  clipId: string;
  /** The file or folder the annotations were read from. */
  origin: string;
  objects: Array<{ id: string; name: string; kind: ObjectKind; paletteIndex: number }>;
  frames: number;
  annotations: number;
  /** Annotations imported as user keyframes (the rest are propagated labels of one "import" run). */
  keyframes: number;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Services

export interface AppService {
  getInfo(): Promise<AppInfo>;
}

export interface ProjectsService {
  list(): Promise<ProjectSummary[]>;
  create(args: { name: string }): Promise<ProjectSummary>;
  get(args: { projectId: string }): Promise<ProjectDetails>;
  rename(args: { projectId: string; name: string }): Promise<ProjectSummary>;
  delete(args: { projectId: string }): Promise<void>;
}

export interface ClipsService {
  /** Probes, verifies (first and last frame decode) and thumbnails a video file or image folder, then adds it. */
  import(args: { projectId: string; sourcePath: string; name?: string }, options?: CallOptions): Promise<ClipSummary>;
  remove(args: { projectId: string; clipId: string }): Promise<void>;
  getFrame(args: { projectId: string; clipId: string; frameIndex: number }): Promise<FrameImage>;
  getThumbnails(args: { projectId: string; clipId: string }): Promise<Thumbnail[]>;
}

export interface ObjectsService {
  list(args: { projectId: string; clipId: string }): Promise<ObjectSummary[]>;
  create(args: { projectId: string; clipId: string; name: string; kind: ObjectKind; paletteIndex?: number; firstFrame?: number }): Promise<ObjectSummary>;
  update(args: { projectId: string; objectId: string; name?: string; paletteIndex?: number; hidden?: boolean }): Promise<ObjectSummary>;
  /** Deletes the object and all its annotations. */
  delete(args: { projectId: string; objectId: string }): Promise<void>;
}

export interface AnnotationsService {
  getFrame(args: { projectId: string; clipId: string; frameIndex: number }): Promise<FrameAnnotations>;
  /**
   * Saves a user-drawn mask (height×width bytes); the frame becomes a keyframe of that object. Empty = removes it.
   * `tool` only names the undo step.
   */
  putMask(args: { projectId: string; clipId: string; objectId: string; frameIndex: number; mask: Uint8Array; tool?: MaskEditTool }): Promise<void>;
  /** Saves user-placed joints; the frame becomes a keyframe of that object. */
  putKeypoints(args: { projectId: string; clipId: string; objectId: string; frameIndex: number; keypoints: KeypointValue[] }): Promise<void>;
  getTimeline(args: { projectId: string; clipId: string }): Promise<ClipTimeline>;
  setReviewed(args: { projectId: string; clipId: string; frameIndex: number; reviewed: boolean }): Promise<void>;
}

export interface PropagationService {
  /**
   * Propagates the objects' keyframes through the clip; each frame is saved as it is computed (progress reports
   * `frameIndex`), user keyframes, labels the annotator changes during the run and other objects are never
   * overwritten; a cancel keeps the frames done. The run is one undo step.
   */
  run(args: PropagationRequest, options?: CallOptions): Promise<PropagationSummary>;
  /**
   * Readies the first frame of the run this request would start (features of the frames involved, and the scores
   * of that frame against its keyframes, which do not depend on labels), so the click shows it at once. The page
   * calls it when the playhead settles; a later run() with the same range and stream uses the result, any other
   * run is unaffected. Resolves to whether anything was prepared (fill requests and small clips need nothing).
   */
  prepare(args: PropagationRequest): Promise<{ prepared: boolean }>;
}

/**
 * Undo/redo per clip: every annotation, reviewed flag and object edit is one step, a whole propagation run (even a
 * cancelled one) is one step. Kept in the project file, so history survives closing the project.
 */
export interface HistoryService {
  status(args: { projectId: string; clipId: string }): Promise<HistoryStatus>;
  /** Reverts the newest step (NOTHING_TO_UNDO when there is none, BUSY while a run of the clip writes). */
  undo(args: { projectId: string; clipId: string }): Promise<HistoryChange>;
  /** Applies the last undone step again (NOTHING_TO_REDO after a new edit, which drops the redo branch). */
  redo(args: { projectId: string; clipId: string }): Promise<HistoryChange>;
}

export interface ModelsService {
  list(): Promise<ModelInfo[]>;
  presets(): Promise<ModelPreset[]>;
  /** Imports a PyTorch checkpoint (with a preset) or a stride-8 .onnx into the model registry. */
  import(args: { path: string; preset?: string; name?: string }, options?: CallOptions): Promise<ModelInfo>;
  remove(args: { streamName: string }): Promise<void>;
}

export interface TrainingService {
  status(args: { projectId: string }): Promise<TrainingStatus>;
  /** Starts (or resumes from its last checkpoint) a run on frames of the given clips; returns at once. */
  start(args: { projectId: string; clipIds: string[]; steps?: number }): Promise<TrainingStatus>;
  pause(args: { projectId: string }): Promise<TrainingStatus>;
  resume(args: { projectId: string }): Promise<TrainingStatus>;
  cancel(args: { projectId: string }): Promise<TrainingStatus>;
}

export interface FilesService {
  /** Lists a folder of the machine running the engine (the app's own file picker); home folder by default. */
  listDirectory(args: { path?: string }): Promise<DirectoryListing>;
}

export interface ExchangeService {
  /** The formats, with the object kinds and options each supports. */
  formats(): Promise<ExchangeFormatInfo[]>;
  /**
   * Writes clips' annotations in a dataset format into a new folder inside `destination`. Progress counts frames
   * (done/total over all clips). Everything is written into a temporary folder and renamed into place at the end,
   * so an error or a cancel leaves the destination as it was.
   */
  export(args: ExportRequest, options?: CallOptions): Promise<ExportSummary>;
  /**
   * Reads annotation files (validated first) into a clip in one transaction: on any error nothing is imported.
   * Cancel takes effect until the write starts; the write itself is one transaction.
   */
  import(args: ImportRequest, options?: CallOptions): Promise<ImportSummary>;
}

export interface CorrespondApi {
  app: AppService;
  projects: ProjectsService;
  clips: ClipsService;
  objects: ObjectsService;
  annotations: AnnotationsService;
  propagation: PropagationService;
  history: HistoryService;
  models: ModelsService;
  training: TrainingService;
  files: FilesService;
  exchange: ExchangeService;
}

export type ServiceName = keyof CorrespondApi;
