/**
 * What ffmpeg may open when it reads a user's file (issue 20, item 10). Only the `file` protocol, and only demuxers
 * that read one media file: a playlist or file list (HLS, DASH, ffconcat, image2 patterns) renamed to `.mp4` would
 * otherwise pull in other local files or URLs. A playlist given as a video is refused from its first bytes with
 * "Format not on whitelist"; probeSource turns that into a clear error.
 */

/** Containers of one video, as ffmpeg names its demuxers (`mov` covers mp4/m4v/3gp, `matroska` covers webm). */
export const VIDEO_DEMUXERS = [
  'mov', 'matroska', 'avi', 'mpegts', 'mpeg', 'mpegvideo', 'm4v', 'h264', 'hevc', 'flv', 'asf', 'ogg', 'mxf', 'nut', 'ivf',
  'yuv4mpegpipe', 'mjpeg', 'gif', 'dv', 'rm', 'wtv', 'obu',
] as const;

/** Single still images, read without pattern expansion (the image sequences' frames). */
export const IMAGE_DEMUXERS = ['image2', 'png_pipe', 'jpeg_pipe', 'bmp_pipe', 'webp_pipe'] as const;

/** A video file: its container, or a single image given as a file (png_pipe etc., never image2's patterns). */
export const VIDEO_FILE_DEMUXERS = [...VIDEO_DEMUXERS, ...IMAGE_DEMUXERS.filter((name) => name !== 'image2')];
/** Our own ffconcat list of image files: the concat demuxer hands its restrictions on to each file it opens. */
export const IMAGE_LIST_DEMUXERS = ['concat', ...IMAGE_DEMUXERS];

/** ffmpeg/ffprobe options, placed before `-i`, that restrict what the input may open. */
export function inputRestrictions(demuxers: readonly string[]): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxers.join(',')];
}

/** The demuxer ffmpeg refused (from its "[hls @ 0x…] Format not on whitelist" line), if that is why it failed. */
export function refusedDemuxer(stderr: string): string | undefined {
  return /\[([\w-]+) @ [^\]]*\] Format not on whitelist/.exec(stderr)?.[1];
}

const KINDS: Record<string, string> = { hls: 'an HLS playlist', dash: 'a DASH manifest', concat: 'an ffconcat file list', image2: 'an image pattern' };

/** What a refused demuxer's input is, for the user: "an HLS playlist". */
export function describeRefusedInput(demuxer: string): string {
  return KINDS[demuxer] ?? `a "${demuxer}" file`;
}
