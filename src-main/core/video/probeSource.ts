import { execFile } from 'node:child_process';
import { readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { canSeekByTimestamp, DecodeRun, type LocateMode } from './decodeRun.ts';
import { checkListableName } from './ffconcatList.ts';
import { ffmpegInfo } from './ffmpegInfo.ts';
import { describeRefusedInput, inputRestrictions, refusedDemuxer, VIDEO_FILE_DEMUXERS } from './ffmpegInputPolicy.ts';
import { frameSizeProblem } from './frameLimits.ts';
import { readImageSize } from './imageSize.ts';
import type { SourceInfo } from './sourceInfo.ts';
import { CancelledError, throwIfCancelled } from '../base/cancellation.ts';
import { VideoError } from './videoError.ts';

export interface ProbeOptions {
  signal?: AbortSignal;
  /** Frame rate given to image folders, which carry none (DAVIS is 24 fps). */
  imageFps?: number;
}

export const DEFAULT_IMAGE_FPS = 24;
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.webp'];

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Reads a video file or an image-sequence folder and checks it decodes; throws VideoError when it can't be used. */
export async function probeSource(sourcePath: string, options: ProbeOptions = {}): Promise<SourceInfo> {
  const absolutePath = path.resolve(sourcePath);
  let stats: Stats;
  try {
    stats = statSync(absolutePath);
  } catch {
    throw new VideoError('NOT_FOUND', 'no such file or folder', absolutePath);
  }
  throwIfCancelled(options.signal);
  if (stats.isDirectory()) return probeImageFolder(absolutePath, options);
  if (stats.size === 0) throw new VideoError('EMPTY_FILE', 'the file is empty (0 bytes)', absolutePath);
  return probeVideoFile(absolutePath, options);
}

// ---------------------------------------------------------------------------------------------- image folders

async function probeImageFolder(folder: string, options: ProbeOptions): Promise<SourceInfo> {
  const entries = readdirSync(folder, { withFileTypes: true }).filter((entry) => !entry.name.startsWith('.'));
  if (entries.length === 0) throw new VideoError('EMPTY_FOLDER', 'the folder is empty', folder);
  const files = entries
    .filter((entry) => entry.isFile() && IMAGE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort(naturalOrder.compare)
    .map((name) => path.join(folder, name));
  if (files.length === 0) {
    throw new VideoError(
      'NO_IMAGES',
      `the folder has no images (${IMAGE_EXTENSIONS.join(', ')}) among its ${entries.length} entries`,
      folder,
    );
  }
  let firstSize: { width: number; height: number } | undefined;
  for (const file of files) {
    checkListableName(file);
    const size = readImageSize(file);
    if (!size || size.width === 0 || size.height === 0) {
      throw new VideoError('CORRUPT_IMAGE', 'not a readable image (bad or truncated header)', file);
    }
    const tooLarge = frameSizeProblem(size.width, size.height);
    if (tooLarge) throw new VideoError('TOO_LARGE', tooLarge, file);
    firstSize ??= size;
    if (size.width !== firstSize.width || size.height !== firstSize.height) {
      throw new VideoError(
        'MIXED_SIZES',
        `is ${size.width}×${size.height} but ${path.basename(files[0])} is ${firstSize.width}×${firstSize.height}; ` +
          'all images of a sequence must have the same size',
        file,
      );
    }
  }
  const fps = options.imageFps ?? DEFAULT_IMAGE_FPS;
  const info: SourceInfo = {
    kind: 'images',
    path: folder,
    name: path.basename(folder),
    width: firstSize!.width,
    height: firstSize!.height,
    fps,
    frameCount: files.length,
    durationSec: files.length / fps,
    codec: path.extname(files[0]).slice(1).toLowerCase(),
    files,
  };
  // Headers can lie about the pixels: decode the ends of the sequence now rather than fail mid-propagation.
  const endIndices = files.length > 1 ? [0, files.length - 1] : [0];
  for (const frameIndex of endIndices) await expectDecodable(info, frameIndex, options.signal);
  return info;
}

// ---------------------------------------------------------------------------------------------- video files

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
  side_data_list?: { rotation?: number }[];
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string };
  packets?: { stream_index: number; pts_time?: string; flags?: string }[];
}

/**
 * One ffprobe call for streams, container and the packet list of the video streams. It is spawned directly
 * rather than through fluent-ffmpeg's `ffprobe()`, which parses only streams/format (no packets) and cannot be
 * killed on abort. Listing packets demuxes without decoding: as fast as `-count_packets`, and unlike `nb_frames`
 * exact for every container (mkv/webm have none; the JHMDB .avi header claims 48 frames where 40 decode).
 */
function runFfprobe(ffprobePath: string, file: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      ffprobePath,
      ['-v', 'error', ...inputRestrictions(VIDEO_FILE_DEMUXERS), ...args, '-of', 'json', file],
      { maxBuffer: 2 * 1024 * 1024 * 1024, signal },
      (error, stdout, stderr) => {
        const refused = refusedDemuxer(stderr);
        if (signal?.aborted) reject(new CancelledError(signal));
        else if (error && refused) {
          reject(new VideoError('UNSUPPORTED_FORMAT', `is ${describeRefusedInput(refused)}, not a video: Correspond does not follow playlists or file lists; import the video itself`, file));
        } else if (error) {
          const lines = stderr.split('\n').map((line) => line.replace(/^\[[^\]]*\]\s*/, '').trim()).filter(Boolean);
          const reason = lines.slice(-2).join('; ') || error.message;
          reject(new VideoError('UNREADABLE', `not a video ffmpeg can read (${reason})`, file));
        } else resolve(stdout);
      },
    );
  });
}

function parseRate(rate: string | undefined): number {
  const [numerator, denominator] = (rate ?? '').split('/').map(Number);
  const value = denominator ? numerator / denominator : numerator;
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : 0;
}

function finiteOrUndefined(value: unknown): number | undefined {
  const number = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(number) ? number : undefined;
}

function sortedDistinctTimes(times: (number | undefined)[]): number[] | undefined {
  if (times.some((time) => time === undefined)) return undefined;
  const sorted = (times as number[]).sort((a, b) => a - b);
  return sorted.every((time, index) => index === 0 || time > sorted[index - 1]) ? sorted : undefined;
}

/**
 * Frames flushed out of a B-frame decoder at the end of an AVI carry no timestamp. Giving them the next times
 * on the frame grid keeps the list usable for seeking; a seek that lands on such a frame finds no match and
 * is redone by counting frames (see DecodeRun), so a guessed time never picks a wrong frame.
 */
function withTrailingTimesFilled(times: (number | undefined)[]): (number | undefined)[] {
  const lastKnown = times.findLastIndex((time) => time !== undefined);
  if (lastKnown < 1 || times.slice(0, lastKnown).some((time) => time === undefined)) return times;
  const intervalSec = (times[lastKnown] as number) - (times[lastKnown - 1] as number);
  return times.map((time, index) => time ?? (times[lastKnown] as number) + (index - lastKnown) * intervalSec);
}

/**
 * Frame count and sorted presentation times, from the packets of one stream (packets flagged D, dropped by an
 * edit list, are skipped). When packets lack timestamps (AVI with B-frames) or share one, falls back to
 * listing decoded frames (`best_effort_timestamp`, what ffmpeg stamps on frames it outputs): a full decode,
 * like `-count_frames`, slow but exact. Times are omitted when even those are missing or ambiguous.
 */
async function frameTimesOf(
  ffprobePath: string,
  file: string,
  output: ProbeOutput,
  streamIndex: number,
  signal: AbortSignal | undefined,
): Promise<{ frameCount: number; frameTimestamps?: number[] }> {
  const packets = (output.packets ?? []).filter((packet) => packet.stream_index === streamIndex && !packet.flags?.includes('D'));
  const packetTimes = sortedDistinctTimes(packets.map((packet) => finiteOrUndefined(packet.pts_time)));
  if (packetTimes) return { frameCount: packetTimes.length, frameTimestamps: packetTimes };
  return decodedFrameTimes(ffprobePath, file, streamIndex, signal);
}

/** Frame count and times of a full decode (what FrameSource's counting mode sees). */
async function decodedFrameTimes(
  ffprobePath: string,
  file: string,
  streamIndex: number,
  signal: AbortSignal | undefined,
): Promise<{ frameCount: number; frameTimestamps?: number[] }> {
  const args = ['-select_streams', String(streamIndex), '-show_entries', 'frame=best_effort_timestamp_time'];
  const decoded = JSON.parse(await runFfprobe(ffprobePath, file, args, signal)) as {
    frames?: { best_effort_timestamp_time?: string }[];
  };
  const frames = decoded.frames ?? [];
  const frameTimes = sortedDistinctTimes(
    withTrailingTimesFilled(frames.map((frame) => finiteOrUndefined(frame.best_effort_timestamp_time))),
  );
  return { frameCount: frames.length, frameTimestamps: frameTimes };
}

/**
 * A truncated video (its container lists frames whose data is cut off): the clip keeps the frames a full decode
 * yields and says how many were lost. Throws TRUNCATED when no frame decodes; resolves undefined when the decode
 * yields every listed frame (the damage is not a cut-off end: the caller's own error stands).
 */
export async function keepReadableFrames(info: SourceInfo, signal?: AbortSignal): Promise<SourceInfo | undefined> {
  if (info.kind !== 'video') throw new VideoError('TRUNCATED', 'not every image of the sequence decodes', info.path);
  const { ffprobePath } = await ffmpegInfo();
  const decoded = await decodedFrameTimes(ffprobePath, info.path, info.streamIndex ?? 0, signal);
  const listed = Math.max(info.frameCount, info.declaredFrameCount ?? 0);
  if (decoded.frameCount === 0) {
    throw new VideoError('TRUNCATED', `the container lists ${pluralFrames(listed)} but none decodes: the file is truncated or corrupt`, info.path);
  }
  if (decoded.frameCount >= info.frameCount) return undefined;
  const readable: SourceInfo = {
    ...info,
    frameCount: decoded.frameCount,
    frameTimestamps: decoded.frameTimestamps,
    durationSec: decoded.frameCount / info.fps,
    lostFrameCount: listed - decoded.frameCount,
  };
  if (!readable.frameTimestamps) delete readable.frameTimestamps;
  await expectDecodable(readable, readable.frameCount - 1, signal);
  return readable;
}

function pluralFrames(count: number): string {
  return `${count} frame${count === 1 ? '' : 's'}`;
}

async function probeVideoFile(file: string, options: ProbeOptions): Promise<SourceInfo> {
  const { ffprobePath } = await ffmpegInfo();
  const probeArgs = ['-show_streams', '-show_format', '-select_streams', 'v'];
  const packetArgs = ['-show_entries', 'packet=stream_index,pts_time,flags'];
  const output = JSON.parse(await runFfprobe(ffprobePath, file, [...probeArgs, ...packetArgs], options.signal)) as ProbeOutput;
  const format = output.format ?? {};
  const stream = (output.streams ?? []).find((candidate) => candidate.codec_type === 'video' && !candidate.disposition?.attached_pic);
  if (!stream || !stream.width || !stream.height) {
    throw new VideoError('NO_VIDEO_STREAM', 'the file has no video stream', file);
  }
  // ffmpeg applies the display rotation when decoding, so a portrait phone clip comes out portrait.
  const rotationDeg = stream.side_data_list?.find((data) => data.rotation !== undefined)?.rotation ?? stream.tags?.rotate;
  const rotation = Math.abs(Number(rotationDeg ?? 0)) % 180;
  const [width, height] = rotation === 90 ? [stream.height, stream.width] : [stream.width, stream.height];
  const tooLarge = frameSizeProblem(width, height);
  if (tooLarge) throw new VideoError('TOO_LARGE', tooLarge, file);
  const { frameCount, frameTimestamps } = await frameTimesOf(ffprobePath, file, output, stream.index, options.signal);
  if (frameCount === 0) throw new VideoError('NO_FRAMES', 'the video stream has no frames', file);
  const durationSec = finiteOrUndefined(format.duration) ?? finiteOrUndefined(stream.duration);
  let fps = parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate);
  if (!fps && durationSec) fps = frameCount / durationSec;
  const info: SourceInfo = {
    kind: 'video',
    path: file,
    name: path.basename(file),
    width,
    height,
    fps: fps || DEFAULT_IMAGE_FPS,
    frameCount,
    durationSec,
    codec: stream.codec_name,
    frameTimestamps,
    streamIndex: stream.index,
    formatName: format.format_name,
    startTimeSec: finiteOrUndefined(format.start_time) ?? 0,
  };
  const declaredFrameCount = finiteOrUndefined(stream.nb_frames);
  if (declaredFrameCount && declaredFrameCount > 0) info.declaredFrameCount = declaredFrameCount;
  // Metadata survives truncation (a faststart mp4 cut in half still lists the samples whose data is gone): decode
  // the last frame; when it does not decode, keep the frames that do.
  try {
    await expectDecodable(info, frameCount - 1, options.signal);
  } catch (error) {
    if (!(error instanceof VideoError && error.code === 'TRUNCATED')) throw error;
    const readable = await keepReadableFrames(info, options.signal);
    if (!readable) throw error;
    return readable;
  }
  return info;
}

/** Tries to decode one frame: true when it came out, false when it did not; an Error when ffmpeg failed. */
async function decodesFrame(info: SourceInfo, frameIndex: number, mode: LocateMode, signal?: AbortSignal) {
  const run = new DecodeRun(info, { startIndex: frameIndex, count: 1, mode, signal });
  let decoded = false;
  try {
    for await (const frame of run.frames()) decoded ||= frame.frameIndex === frameIndex;
  } catch (error) {
    if (signal?.aborted) throw new CancelledError(signal);
    return error instanceof Error ? error : new Error(String(error));
  }
  return decoded;
}

/** Decodes one frame the way FrameSource will, and turns failure into the import error the user should see. */
async function expectDecodable(info: SourceInfo, frameIndex: number, signal?: AbortSignal): Promise<void> {
  // A seek that misses (bad index) is retried by counting frames before the file is called broken.
  const modes: LocateMode[] = canSeekByTimestamp(info) ? ['seek', 'count'] : ['count'];
  let outcome: boolean | Error = false;
  for (const mode of modes) {
    outcome = await decodesFrame(info, frameIndex, mode, signal);
    if (outcome === true) return;
  }
  if (info.kind === 'images') {
    if (outcome instanceof VideoError) throw outcome;
    throw new VideoError('CORRUPT_IMAGE', 'ffmpeg could not decode the image', info.files![frameIndex]);
  }
  const reason = outcome instanceof Error ? ` (${outcome.message})` : '';
  throw new VideoError(
    'TRUNCATED',
    `the container lists ${pluralFrames(info.frameCount)} but frame ${frameIndex} (the last) does not decode: ` +
      `the file is truncated or corrupt${reason}`,
    info.path,
  );
}
