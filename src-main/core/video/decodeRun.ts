import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isCancellation } from '../base/cancellation.ts';
import { ffconcatList } from './ffconcatList.ts';
import { IMAGE_DEMUXERS, IMAGE_LIST_DEMUXERS, VIDEO_FILE_DEMUXERS } from './ffmpegInputPolicy.ts';
import { startFfmpeg, type FfmpegRun, type FfmpegRunOptions } from './ffmpegProcess.ts';
import { RawFrameQueue } from './rawFrameQueue.ts';
import type { IndexedRgbFrame, SourceInfo } from './sourceInfo.ts';
import { VideoError } from './videoError.ts';

/**
 * How frames of a video are located.
 * - `seek`: `-ss` before `-i` to just before the wanted frame (fast, uses the container index); each output
 *   frame is then identified by its timestamp, so an inexact seek is detected rather than trusted.
 * - `count`: decode from the start and keep frames by decoder output number (`select=gte(n,start)`): exact by
 *   definition, slower; used when timestamps are missing/ambiguous or a seek missed.
 */
export type LocateMode = 'seek' | 'count';

const SEEK_SLACK_FRAMES = 2;

/** Marks frames a seek produced whose timestamp matches no frame of the clip. */
export const UNMATCHED_FRAME_INDEX = -1;

// Containers whose demuxers seek through a sample index, so seeking lands on a keyframe at or before the target.
const SEEKABLE_FORMATS = /(^|,)(mov|mp4|matroska|webm|avi)(,|$)/;

export function canSeekByTimestamp(info: SourceInfo): boolean {
  return info.kind === 'video' && !!info.frameTimestamps && SEEKABLE_FORMATS.test(info.formatName ?? '');
}

/** Index of the frame whose timestamp is within half a frame interval of `timeSec`, or UNMATCHED_FRAME_INDEX. */
export function frameIndexAtTime(timestamps: readonly number[], timeSec: number): number {
  let low = 0;
  let high = timestamps.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (timestamps[middle] < timeSec) low = middle + 1;
    else high = middle;
  }
  let best = low;
  if (low > 0 && Math.abs(timestamps[low - 1] - timeSec) < Math.abs(timestamps[low] - timeSec)) best = low - 1;
  const previousGap = best > 0 ? timestamps[best] - timestamps[best - 1] : Infinity;
  const nextGap = best < timestamps.length - 1 ? timestamps[best + 1] - timestamps[best] : Infinity;
  const tolerance = Math.min(previousGap, nextGap, 1) / 2;
  return Math.abs(timestamps[best] - timeSec) < tolerance ? best : UNMATCHED_FRAME_INDEX;
}

export interface DecodeRequest {
  startIndex: number;
  count: number;
  /** Ignored for image folders, which are always located by file. */
  mode: LocateMode;
  signal?: AbortSignal;
}

/**
 * One ffmpeg process decoding `count` frames from `startIndex` to RGB24, yielded in order as they arrive.
 * For a seek, each frame carries the index its timestamp identifies (UNMATCHED_FRAME_INDEX if none).
 */
export class DecodeRun {
  private run: FfmpegRun | undefined;
  private killReason: Error | undefined;
  private listFolder: string | undefined;

  constructor(
    private readonly info: SourceInfo,
    private readonly request: DecodeRequest,
  ) {}

  kill(reason: Error): void {
    this.killReason ??= reason;
    this.run?.kill(reason);
  }

  async *frames(): AsyncGenerator<IndexedRgbFrame> {
    const { info, request } = this;
    const { width, height } = info;
    const queue = new RawFrameQueue(width * height * 3);
    const seekSec = this.seekSec();
    try {
      if (this.killReason) throw this.killReason;
      this.run = await startFfmpeg({
        ...this.commandParts(seekSec),
        signal: request.signal,
        onData: (chunk) => queue.pushBytes(chunk),
        onStderrLine: (line) => queue.pushStderrLine(line),
      });
      if (this.killReason) this.run.kill(this.killReason);
      this.run.done.then(
        () => queue.end(),
        // A truncated file's cut-off data ends every decode that reads into it (the decoder and a seek's slack read
        // ahead): the frames produced before it stand, and a caller missing one says so.
        (error: Error) => (info.lostFrameCount && !this.killReason && !(error instanceof VideoError) && error.name !== 'AbortError' ? queue.end() : queue.fail(this.decodeError(error))),
      );
      let outputNumber = 0;
      for await (const { data, presentationSec } of queue.read()) {
        const frameIndex =
          seekSec === undefined
            ? request.startIndex + outputNumber
            : frameIndexAtTime(info.frameTimestamps ?? [], presentationSec + (info.startTimeSec ?? 0));
        outputNumber += 1;
        yield { frameIndex, width, height, data };
      }
      if (queue.leftoverBytes !== 0) {
        throw new VideoError('DECODE_FAILED', `ffmpeg produced frames that are not ${width}×${height}`, info.path);
      }
    } finally {
      this.run?.kill(new VideoError('CLOSED', 'decoding stopped', info.path)); // no-op when already ended
      if (this.listFolder) rmSync(this.listFolder, { recursive: true, force: true });
    }
  }

  /**
   * Seek target relative to the file start, or undefined when frames are counted. Used with
   * `-copyts -start_at_zero`, so output timestamps are the stored ones minus `startTimeSec`, untouched by the
   * seek (without -copyts ffmpeg subtracts the seek offset rounded to the stream time base, e.g. 1/30 s in AVI).
   */
  private seekSec(): number | undefined {
    const { info, request } = this;
    if (info.kind !== 'video' || request.mode !== 'seek' || !info.frameTimestamps) return undefined;
    if (request.startIndex === 0) return 0;
    const timestamps = info.frameTimestamps;
    // Midway between the previous frame and the wanted one: float rounding can neither drop nor keep an extra frame.
    const targetSec = (timestamps[request.startIndex - 1] + timestamps[request.startIndex]) / 2;
    return Math.max(0, targetSec - (info.startTimeSec ?? 0));
  }

  private commandParts(seekSec: number | undefined): Omit<FfmpegRunOptions, 'onData' | 'onStderrLine'> {
    const { info, request } = this;
    const scale = `scale=${info.width}:${info.height}`;
    const common = ['-vsync', 'passthrough', '-pix_fmt', 'rgb24', '-frames:v', String(request.count), '-an', '-sn'];
    if (info.kind === 'images') {
      const files = (info.files ?? []).slice(request.startIndex, request.startIndex + request.count);
      if (files.length === 1) {
        // A single image: the image2 demuxer without pattern expansion, so '%' in a name stays literal.
        return {
          input: files[0],
          inputOptions: ['-f', 'image2', '-pattern_type', 'none'],
          demuxers: IMAGE_DEMUXERS,
          outputOptions: ['-vf', scale, ...common],
          format: 'rawvideo',
        };
      }
      this.listFolder = mkdtempSync(path.join(tmpdir(), 'correspond-frames-'));
      const listFile = path.join(this.listFolder, 'frames.ffconcat');
      writeFileSync(listFile, ffconcatList(files));
      return {
        input: listFile,
        inputOptions: ['-f', 'concat', '-safe', '0'],
        demuxers: IMAGE_LIST_DEMUXERS,
        // Still images can come out of concat with equal timestamps: number them so none is taken for a repeat.
        outputOptions: ['-vf', `setpts=N,${scale}`, ...common],
        format: 'rawvideo',
      };
    }
    const map = ['-map', `0:${info.streamIndex ?? 'v:0'}`];
    if (seekSec === undefined) {
      const select = request.startIndex > 0 ? `select='gte(n,${request.startIndex})',` : '';
      return {
        input: info.path,
        demuxers: VIDEO_FILE_DEMUXERS,
        outputOptions: [...map, '-vf', `${select}${scale}`, ...common],
        format: 'rawvideo',
      };
    }
    // A seek may start a frame or two early (ffmpeg trims on decoder timestamps, which B-frame AVIs shift):
    // decode a little more so the requested range is still covered; frames are identified by time anyway.
    common[common.indexOf('-frames:v') + 1] = String(request.count + SEEK_SLACK_FRAMES);
    return {
      input: info.path,
      demuxers: VIDEO_FILE_DEMUXERS,
      inputOptions: ['-copyts', '-start_at_zero', ...(seekSec > 0 ? ['-ss', seekSec.toFixed(6)] : [])],
      outputOptions: [...map, '-vf', `showinfo,${scale}`, ...common],
      format: 'rawvideo',
    };
  }

  private decodeError(error: Error): Error {
    if (isCancellation(error) || error instanceof VideoError) return error;
    if (this.info.kind === 'images' && this.request.count === 1) {
      const file = this.info.files?.[this.request.startIndex] ?? this.info.path;
      return new VideoError('CORRUPT_IMAGE', `could not decode the image (${error.message})`, file);
    }
    const what = this.info.kind === 'images' ? 'image' : 'video';
    return new VideoError('DECODE_FAILED', `could not decode ${what} frames (${error.message})`, this.info.path);
  }
}
