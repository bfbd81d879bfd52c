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
import type { KeypointVisibility, LabelSetDefinition, LabelSetPreset } from '../vocabulary/labelSetTypes.ts';
// Label-set shapes live with the vocabulary (below store and formats in core's order); the contract re-exports them.
export type { KeypointVisibility, LabelClass, LabelSetDefinition, LabelSetKind, LabelSetPreset, SkeletonJoint } from '../vocabulary/labelSetTypes.ts';

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
  /**
   * Frames the source file lists but that do not decode (a truncated video): the clip holds the readable ones
   * before them, and this says how many were lost. Absent when every frame decoded.
   */
  lostFrameCount?: number;
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

/** An annotated object of a clip (a mask, a part map, or a skeleton). */
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
  /**
   * The project label set the object speaks: a part set for part objects, a skeleton for keypoints objects (both
   * always set), an object-class set for mask objects that have a class (else null).
   */
  labelSetId?: string | null;
  /** Mask objects: the object's class in `labelSetId` (0-based), or null. */
  classIndex?: number | null;
}

export interface LabelSet extends LabelSetDefinition {
  id: string;
  /** The preset it was created from ('jhmdb', 'coco', 'vip', 'davis'), or null. */
  preset: string | null;
  /** Objects (over all clips) that use it. */
  objectCount: number;
}


/**
 * A change to a label set. `sources[i]` says where entry i (a class, or a joint) of the new definition comes from:
 * the index it had before (renamed, recoloured or moved), or null for a new entry. Entries of the old definition
 * no source names are removed: part labels of a removed class become background, removed joints leave every
 * skeleton, mask objects of a removed class lose their class.
 */
export interface LabelSetChange {
  projectId: string;
  labelSetId: string;
  definition: LabelSetDefinition;
  sources: Array<number | null>;
  /** The clip open in the editor: the change is one undo step of its history (other clips' histories are cleared
   *  when their labels change, since their steps would no longer fit). */
  clipId?: string;
}

/** What a label set change would delete, asked before it is made. */
export interface LabelSetImpact {
  /** Names of the classes or joints that would be removed. */
  removed: string[];
  /** Annotations (object × frame) whose labels would change. */
  annotations: number;
  /** Objects that would lose their class or labels. */
  objects: number;
  /** Clips other than `clipId` whose undo history would be cleared. */
  otherClips: number;
  /** One sentence for the confirmation, e.g. 'Removes "tail" from 40 annotations of 2 objects.' */
  message: string;
}


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
  /**
   * Revision of each object's label on this frame (objects absent here: 0). Every write bumps it, from any window;
   * a save names the revision it was based on and is refused (STALE_REVISION) when the label changed meanwhile.
   */
  revisions?: Record<string, number>;
}

/**
 * The editing session an edit comes from: one window or tab (a random id per page load). Undo asks before reverting
 * another session's step (OTHER_SESSION); edits without one (command line, older clients) belong to no session.
 */
export interface EditSession {
  sessionId?: string;
}

/** A saved label's new revision (the base of the next save from the same window). */
export interface SavedAnnotation {
  revision: number;
}

/** The mask tool an edit came from; it names the step in the undo history ("brush on frame 20"). */
export type MaskEditTool = 'brush' | 'eraser' | 'polygon' | 'fillHoles' | 'click';

/** One click of the click tool, in frame pixels: positive = on the object, negative = background. */
export interface SegmentationClickValue {
  x: number;
  y: number;
  positive: boolean;
}

/** Click-to-segment on one frame: the clicks made so far on this object and frame (oldest first), and a box. */
export interface ClickSegmentRequest extends EditSession {
  projectId: string;
  clipId: string;
  objectId: string;
  frameIndex: number;
  clicks: SegmentationClickValue[];
  /** A dragged box around the object, in frame pixels (x0, y0 inclusive; x1, y1 exclusive). */
  box?: { x0: number; y0: number; x1: number; y1: number };
}

export interface ClickSegmentResult {
  /** The object's new mask on the frame (height×width, 0/1), saved as a user keyframe. */
  mask: Uint8Array;
  /** The saved label's new revision (the base of the next save from the same window). */
  revision: number;
  /** Time the segmentation took, features included (ms). */
  ms: number;
}

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

/** What "remove small islands" did. */
export interface IslandRemovalSummary {
  /** Frames whose labels changed. */
  frames: number;
  islands: number;
  pixels: number;
}

/** What Undo and Redo would do on a clip. */
export interface HistoryStatus {
  canUndo: boolean;
  canRedo: boolean;
  /** The step Undo reverts was made in another window or tab than the caller's session (undo asks first). */
  undoByOtherSession?: boolean;
  /** Likewise for Redo. */
  redoByOtherSession?: boolean;
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
  /** A label set of the project changed (vocabularies need reloading). */
  labelSetsChanged?: boolean;
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

/** How a clip's latest propagation run went, so a page opened (or reloaded) later can say it. */
export interface PropagationRunInfo {
  runId: string;
  mode: PropagationMode;
  /** 'interrupted': nobody cancelled it, its window closed or reloaded, or the engine stopped. */
  status: 'running' | 'finished' | 'cancelled' | 'interrupted' | 'failed';
  /** Frames that still hold this run's labels. */
  framesKept: number;
  errorMessage?: string;
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
  /**
   * unavailable: no Python with torch (see `problem`); idle: never run in this project; interrupted: the project's
   * last run never ended (the app quit or was killed while it trained): starting again resumes it from its checkpoint.
   */
  state: 'unavailable' | 'idle' | 'starting' | 'running' | 'paused' | 'finished' | 'cancelled' | 'failed' | 'interrupted';
  /** Still looking for a Python with torch (the first status after the app starts): ask again shortly. */
  checking?: boolean;
  /** Cancel was asked: the worker stops within its current step and saves a checkpoint, then the state follows. */
  cancelling?: boolean;
  /** The clips of the run shown (current, or the project's last one), in the project's order. */
  clipIds?: string[];
  /**
   * Time a step will take on this computer, before the worker has measured it: from this computer's earlier runs
   * of the same network, else from the repository's benchmark record; `basis` says which, in plain words.
   */
  estimate?: { secondsPerStep: number; basis: string };
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
  /**
   * Before a run's evaluation exists: the mask object it will score (the one with the most user keyframes on the
   * run's clips, or on all clips before any run), so the panel can say so instead of asking for keyframes.
   */
  heldOut?: { clipName: string; objectName: string; inputFrame: number; heldOutFrames: number[] };
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
    /** Replace `folderName` when it holds an earlier export and nothing else (swapped only once the export is complete). */
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
  /** Renames a clip (its labels, frames and source stay as they are). */
  rename(args: { projectId: string; clipId: string; name: string }): Promise<ClipSummary>;
  /**
   * Deletes a clip with its objects, labels, history and cached features; the source file stays where it is.
   * BUSY while a propagation run of the clip is writing.
   */
  remove(args: { projectId: string; clipId: string }): Promise<void>;
  getFrame(args: { projectId: string; clipId: string; frameIndex: number }): Promise<FrameImage>;
  getThumbnails(args: { projectId: string; clipId: string }): Promise<Thumbnail[]>;
}

export interface ObjectsService {
  list(args: { projectId: string; clipId: string }): Promise<ObjectSummary[]>;
  /** Part and keypoints objects take a label set of their kind (default: the project's first part set / skeleton). */
  create(args: { projectId: string; clipId: string; name: string; kind: ObjectKind; paletteIndex?: number; firstFrame?: number; labelSetId?: string | null; classIndex?: number | null } & EditSession): Promise<ObjectSummary>;
  /** `labelSetId`/`classIndex` set a mask object's class (null: none). */
  update(args: { projectId: string; objectId: string; name?: string; paletteIndex?: number; hidden?: boolean; labelSetId?: string | null; classIndex?: number | null } & EditSession): Promise<ObjectSummary>;
  /** Deletes the object and all its annotations. */
  delete(args: { projectId: string; objectId: string } & EditSession): Promise<void>;
}

export interface AnnotationsService {
  getFrame(args: { projectId: string; clipId: string; frameIndex: number }): Promise<FrameAnnotations>;
  /**
   * Saves a user-drawn mask (height×width bytes); the frame becomes a keyframe of that object. Empty = removes it.
   * `tool` only names the undo step. With `baseRevision` (the revision getFrame gave) a label changed since then,
   * from another window or a run, is not overwritten: STALE_REVISION, and the caller reloads the frame.
   */
  putMask(
    args: { projectId: string; clipId: string; objectId: string; frameIndex: number; mask: Uint8Array; tool?: MaskEditTool; baseRevision?: number } & EditSession,
  ): Promise<SavedAnnotation>;
  /** Saves user-placed joints; the frame becomes a keyframe of that object (`baseRevision` as for putMask). */
  putKeypoints(
    args: { projectId: string; clipId: string; objectId: string; frameIndex: number; keypoints: KeypointValue[]; baseRevision?: number } & EditSession,
  ): Promise<SavedAnnotation>;
  getTimeline(args: { projectId: string; clipId: string }): Promise<ClipTimeline>;
  /**
   * Removes an object's islands under `minPixels` (specks apart from the object; its largest region always stays):
   * on `frameIndex` only, or without it on every frame that holds propagated labels of the object. Labels keep
   * their source (a propagated frame does not become a keyframe). One undo step; nothing changes for keypoints.
   */
  removeSmallIslands(args: { projectId: string; clipId: string; objectId: string; minPixels: number; frameIndex?: number } & EditSession): Promise<IslandRemovalSummary>;
  setReviewed(args: { projectId: string; clipId: string; frameIndex: number; reviewed: boolean } & EditSession): Promise<void>;
}

export interface InteractiveService {
  /**
   * Refines a mask object's mask on one frame from clicks and/or a box (its current mask there, propagated or
   * drawn, is the starting point) and saves the result as a user keyframe: one undo step per call.
   */
  segment(args: ClickSegmentRequest): Promise<ClickSegmentResult>;
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
  /** The clip's latest run (null before the first): still running, or how it ended and how many frames it kept. */
  lastRun(args: { projectId: string; clipId: string }): Promise<PropagationRunInfo | null>;
}

/**
 * Undo/redo per clip: every annotation, reviewed flag and object edit is one step, a whole propagation run (even a
 * cancelled one) is one step. Kept in the project file, so history survives closing the project.
 */
export interface HistoryService {
  status(args: { projectId: string; clipId: string } & EditSession): Promise<HistoryStatus>;
  /**
   * Reverts the newest step (NOTHING_TO_UNDO when there is none, BUSY while a run of the clip writes). A step made
   * in another session is refused with OTHER_SESSION (its message names the step) unless `confirmOtherSession`.
   */
  undo(args: { projectId: string; clipId: string; confirmOtherSession?: boolean } & EditSession): Promise<HistoryChange>;
  /** Applies the last undone step again (NOTHING_TO_REDO after a new edit, which drops the redo branch); as undo for another session's step. */
  redo(args: { projectId: string; clipId: string; confirmOtherSession?: boolean } & EditSession): Promise<HistoryChange>;
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

/** The project's own label sets: object classes, part classes and skeletons (issue 21). */
export interface VocabulariesService {
  list(args: { projectId: string }): Promise<LabelSet[]>;
  /** JHMDB 15 joints, COCO 17 keypoints, VIP 20 parts, DAVIS (mask objects without classes). */
  presets(): Promise<LabelSetPreset[]>;
  create(args: { projectId: string; definition: LabelSetDefinition; preset?: string }): Promise<LabelSet>;
  /** What `update` would delete (nothing is changed). */
  impact(args: LabelSetChange): Promise<LabelSetImpact>;
  /** Renames are free; removals rewrite the labels that use them (see LabelSetChange); one undo step. */
  update(args: LabelSetChange): Promise<LabelSet>;
  /** Refused (IN_USE) while objects use it. */
  delete(args: { projectId: string; labelSetId: string }): Promise<void>;
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
  interactive: InteractiveService;
  propagation: PropagationService;
  history: HistoryService;
  vocabularies: VocabulariesService;
  models: ModelsService;
  training: TrainingService;
  files: FilesService;
  exchange: ExchangeService;
}

export type ServiceName = keyof CorrespondApi;
