/** What went wrong with a clip; stable strings so the UI and the CLI can react without parsing messages. */
export type VideoErrorCode =
  | 'FFMPEG_MISSING'
  | 'NOT_FOUND'
  | 'EMPTY_FILE'
  | 'UNREADABLE'
  | 'NO_VIDEO_STREAM'
  | 'NO_FRAMES'
  | 'TRUNCATED'
  | 'EMPTY_FOLDER'
  | 'NO_IMAGES'
  | 'MIXED_SIZES'
  | 'CORRUPT_IMAGE'
  /** Frames larger than the cap of frameLimits.ts. */
  | 'TOO_LARGE'
  /** A playlist or file list (HLS, DASH, ffconcat) given as a video: ffmpeg may not follow it. */
  | 'UNSUPPORTED_FORMAT'
  /** A file name ffmpeg's file lists cannot carry (a line break or another control character). */
  | 'UNSAFE_NAME'
  | 'FRAME_OUT_OF_RANGE'
  | 'DECODE_FAILED'
  | 'CLOSED';

/** Bad clip input or a failed decode: names the file and the problem. */
export class VideoError extends Error {
  constructor(
    readonly code: VideoErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'VideoError';
  }
}
