/**
 * The one API contract of Correspond (house rule 2). Electron binds it with `ipcMain.handle` + one preload object,
 * the browser host binds it over HTTP + WebSocket; both are generic proxies over `CorrespondApi`, so adding a method
 * touches only this file, its validation schema (`apiSchema.ts`) and its implementation.
 *
 * Shape rules: every method takes at most one plain-object argument and returns a promise. Long calls also take
 * `CallOptions` (progress + cancellation); across a process boundary the binding carries both.
 * This file holds types only, so the renderer may `import type` it.
 */

/** An error as it crosses the boundary: a stable code and a sentence for the user, never a stack trace. */
export interface ApiErrorShape {
  code: string;
  message: string;
}

export interface Progress {
  done: number;
  total: number;
  message?: string;
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

export interface FilesService {
  /** Lists a folder of the machine running the engine (the app's own file picker); home folder by default. */
  listDirectory(args: { path?: string }): Promise<DirectoryListing>;
}

export interface CorrespondApi {
  app: AppService;
  projects: ProjectsService;
  clips: ClipsService;
  files: FilesService;
}

export type ServiceName = keyof CorrespondApi;
export type MethodName<S extends ServiceName> = keyof CorrespondApi[S] & string;
