/** One imported clip as the rest of the app sees it (issue 2, item 3). */
export interface SourceInfo {
  kind: 'video' | 'images';
  /** Absolute path of the video file or of the image folder. */
  path: string;
  /** Base name of the file or folder. */
  name: string;
  /** Size of the decoded frames (after the container's display rotation, if any). */
  width: number;
  height: number;
  fps: number;
  /** Exact number of frames a full decode yields. */
  frameCount: number;
  durationSec?: number;
  /** Video codec name (ffprobe `codec_name`) or, for image folders, the file extension. */
  codec?: string;
  /** Image folders only: absolute paths, naturally sorted; frame n is `files[n]`. */
  files?: string[];
  /**
   * Videos only: presentation time (seconds, as stored in the container) of each frame, ascending.
   * Absent when the container does not give usable timestamps; frames are then located by counting.
   */
  frameTimestamps?: number[];
  /** Videos only: absolute index of the decoded video stream in the container. */
  streamIndex?: number;
  /** Videos only: container name as ffprobe reports it (e.g. `mov,mp4,m4a,3gp,3g2,mj2`). */
  formatName?: string;
  /** Videos only: `format.start_time` in seconds, the origin ffmpeg subtracts from output timestamps. */
  startTimeSec?: number;
  /** Videos only: the frame count the container's header declares (mp4 `nb_frames`), when it gives one. */
  declaredFrameCount?: number;
  /**
   * Videos only: frames the container lists (or declares) beyond those that decode, in a truncated file. The
   * clip then holds the readable frames before them (`frameCount`).
   */
  lostFrameCount?: number;
}

/** One decoded frame: `data` is H×W×3 RGB, row-major, 8 bits per channel. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A decoded frame with its 0-based index in the clip. */
export interface IndexedRgbFrame extends RgbFrame {
  frameIndex: number;
}

/** Progress of a long call, as every service reports it (house rule 2). */
export interface VideoProgress {
  done: number;
  total: number;
  message: string;
}

/** What a project stores of an imported clip (store's ClipRecord has these fields). */
export interface StoredClipSource {
  name: string;
  sourcePath: string;
  sourceKind: SourceInfo['kind'];
  fps: number;
  width: number;
  height: number;
  frameCount: number;
  imageFiles: string[] | null;
  /** Free-form source facts; `probe` holds the probe result saved at import. */
  sourceDetails: { probe?: unknown };
}

/** Rebuilds the probe result saved with a clip, so frames decode without probing again. */
export function sourceInfoOf(clip: StoredClipSource): SourceInfo {
  const probe = (clip.sourceDetails.probe ?? {}) as Partial<SourceInfo>;
  return {
    ...probe,
    kind: clip.sourceKind,
    path: clip.sourcePath,
    name: clip.name,
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    frameCount: clip.frameCount,
    ...(clip.imageFiles ? { files: clip.imageFiles } : {}),
  } as SourceInfo;
}
