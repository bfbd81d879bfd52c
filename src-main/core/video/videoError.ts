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
