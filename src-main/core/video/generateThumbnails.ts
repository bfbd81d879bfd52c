import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ffconcatList } from './ffconcatList.ts';
import { IMAGE_LIST_DEMUXERS, VIDEO_FILE_DEMUXERS } from './ffmpegInputPolicy.ts';
import { startFfmpeg } from './ffmpegProcess.ts';
import { JpegStreamSplitter } from './jpegStreamSplitter.ts';
import type { SourceInfo, VideoProgress } from './sourceInfo.ts';
import { CancelledError, throwIfCancelled } from '../base/cancellation.ts';
import { VideoError } from './videoError.ts';

export interface Thumbnail {
  frameIndex: number;
  jpeg: Uint8Array;
}

export interface ThumbnailOptions {
  heightPx?: number;
  maxCount?: number;
  signal?: AbortSignal;
  onProgress?: (progress: VideoProgress) => void;
}

/** Frames shown on the timeline: every frame up to `maxCount`, else `maxCount` evenly spaced incl. first and last. */
export function thumbnailFrameIndices(frameCount: number, maxCount: number): number[] {
  if (frameCount <= maxCount) return Array.from({ length: frameCount }, (_, index) => index);
  if (maxCount <= 1) return [0];
  return Array.from({ length: maxCount }, (_, index) => Math.round((index * (frameCount - 1)) / (maxCount - 1)));
}

/** ffmpeg input and options for one pass that writes the chosen frames as a JPEG stream. */
function thumbnailCommand(info: SourceInfo, frameIndices: number[], heightPx: number) {
  const scale = `scale=-2:${heightPx}:flags=bilinear`;
  const total = frameIndices.length;
  const output = ['-vsync', 'passthrough', '-c:v', 'mjpeg', '-q:v', '5', '-an', '-sn', '-frames:v', String(total)];
  if (info.kind === 'images') {
    // One pass over just the chosen files, through the concat demuxer.
    const listFolder = mkdtempSync(path.join(tmpdir(), 'correspond-thumbs-'));
    const input = path.join(listFolder, 'thumbnails.ffconcat');
    writeFileSync(input, ffconcatList(frameIndices.map((frameIndex) => info.files![frameIndex])));
    // Still images can come out of concat with equal timestamps, which encoders refuse: number them instead.
    const outputOptions = ['-vf', `setpts=N,${scale}`, ...output];
    return { input, inputOptions: ['-f', 'concat', '-safe', '0'], demuxers: IMAGE_LIST_DEMUXERS, outputOptions, listFolder };
  }
  const everyFrame = total === info.frameCount;
  // Frame n is picked when it is round(k·(F−1)/(M−1)) for k = round(n·(M−1)/(F−1)), the same arithmetic as
  // thumbnailFrameIndices; one short expression whatever the clip length (a sum of eq() terms overflows ffmpeg's
  // expression parser on long clips). Quoted so its commas are not read as filter separators.
  const span = info.frameCount - 1;
  const steps = total - 1;
  const select = `select='eq(round(round(n*${steps}/${span})*${span}/${steps}),n)',`;
  const outputOptions = ['-map', `0:${info.streamIndex ?? 'v:0'}`, '-vf', `${everyFrame ? '' : select}${scale}`, ...output];
  return { input: info.path, inputOptions: [], demuxers: VIDEO_FILE_DEMUXERS, outputOptions, listFolder: undefined };
}

/**
 * Timeline thumbnails in one ffmpeg pass: frames are picked by decoder output number (`select` on `n`, exact
 * like FrameSource's counting mode), scaled to `heightPx` and written as a JPEG stream that is cut per image.
 */
export async function generateThumbnails(info: SourceInfo, options: ThumbnailOptions = {}): Promise<Thumbnail[]> {
  const { heightPx = 72, maxCount = 300, signal, onProgress } = options;
  throwIfCancelled(signal);
  const frameIndices = thumbnailFrameIndices(info.frameCount, maxCount);
  const total = frameIndices.length;
  const thumbnails: Thumbnail[] = [];
  const splitter = new JpegStreamSplitter((jpeg) => {
    const frameIndex = frameIndices[thumbnails.length];
    if (frameIndex === undefined) return;
    thumbnails.push({ frameIndex, jpeg });
    onProgress?.({ done: thumbnails.length, total, message: `Thumbnail ${thumbnails.length} of ${total}` });
  });
  onProgress?.({ done: 0, total, message: `Making ${total} thumbnails` });

  const command = thumbnailCommand(info, frameIndices, heightPx);
  try {
    const run = await startFfmpeg({ ...command, format: 'image2pipe', signal, onData: (chunk) => splitter.push(chunk) });
    await run.done;
  } catch (error) {
    if (signal?.aborted) throw new CancelledError(signal);
    throw new VideoError(
      'DECODE_FAILED',
      `could not make thumbnails (${error instanceof Error ? error.message : String(error)})`,
      info.path,
    );
  } finally {
    if (command.listFolder) rmSync(command.listFolder, { recursive: true, force: true });
  }
  if (thumbnails.length !== total) {
    // TRUNCATED: the import then keeps the frames that decode (keepReadableFrames).
    throw new VideoError(
      'TRUNCATED',
      `expected ${total} thumbnails but ffmpeg produced ${thumbnails.length}: the file may be truncated`,
      info.path,
    );
  }
  return thumbnails;
}
