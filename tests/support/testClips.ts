// Test helper (not shipped API): tiny clips generated on the fly with `ffmpeg -f lavfi`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hasEncoder } from '../../src-main/core/video/ffmpegInfo.ts';
import type { RgbFrame } from '../../src-main/core/video/sourceInfo.ts';

export const CLIP_WIDTH = 64;
export const CLIP_HEIGHT = 48;
export const CLIP_FRAMES = 30;
export const CLIP_FPS = 24;
/** Frame n is a solid colour with red = n × RED_STEP, so every frame tells its own index. */
export const RED_STEP = 8;

const ffmpegPath = process.env.CORRESPOND_FFMPEG || 'ffmpeg';

export function makeTempFolder(prefix = 'correspond-video-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function runFfmpeg(args: string[]): void {
  execFileSync(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

const colourSource = (frames: number, width = CLIP_WIDTH, height = CLIP_HEIGHT) =>
  `color=c=black:s=${width}x${height}:r=${CLIP_FPS}:d=${frames / CLIP_FPS},format=gbrp,` +
  `geq=r='N*${RED_STEP}':g='128':b='64'`;

export type ClipContainer = 'mp4' | 'avi' | 'mov' | 'mkv' | 'webm';

/** Encoder arguments per container; short GOPs (and B-frames where the codec has them) make seeking matter. */
function encoderArgs(container: ClipContainer): string[] {
  const h264 = hasEncoder('libx264') ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2'] : ['-c:v', 'mpeg4', '-q:v', '2', '-bf', '2'];
  switch (container) {
    case 'avi':
      return ['-c:v', 'mpeg4', '-q:v', '2', '-bf', '2'];
    case 'webm':
      if (hasEncoder('libvpx-vp9')) return ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '0', '-crf', '20'];
      return ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M'];
    default:
      return h264;
  }
}

/**
 * A colour-coded clip of `frames` frames (see RED_STEP) in `container`. Written to `folder`, or with
 * `folder: 'shared'` to a cache in the temp dir keyed by the ffmpeg arguments, so test files (and reruns) encode
 * each read-only clip once; the rename makes a concurrent writer harmless.
 */
export function makeColourClip(
  folder: string | 'shared',
  container: ClipContainer,
  options: { frames?: number; name?: string; extraArgs?: string[] } = {},
): string {
  const frames = options.frames ?? CLIP_FRAMES;
  const args = ['-f', 'lavfi', '-i', colourSource(frames), ...encoderArgs(container), '-g', '8', '-pix_fmt', 'yuv420p',
    ...(options.extraArgs ?? [])];
  const name = `${options.name ?? 'colour'}.${container}`;
  if (folder !== 'shared') {
    const file = path.join(folder, name);
    runFfmpeg([...args, file]);
    return file;
  }
  const key = createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16);
  const sharedFolder = path.join(tmpdir(), 'correspond-video-fixtures');
  mkdirSync(sharedFolder, { recursive: true });
  const file = path.join(sharedFolder, `${key}-${name}`);
  if (!existsSync(file)) {
    const partial = path.join(sharedFolder, `${process.pid}-${key}-${name}`);
    runFfmpeg([...args, partial]);
    renameSync(partial, file);
  }
  return file;
}

/** A folder of colour-coded PNGs named `00001.png…` (JHMDB style). */
export function makeColourPngFolder(parent: string, frames: number, name = 'pngs', width = CLIP_WIDTH, height = CLIP_HEIGHT): string {
  const folder = path.join(parent, name);
  mkdirSync(folder, { recursive: true });
  runFfmpeg(['-f', 'lavfi', '-i', colourSource(frames, width, height), '-start_number', '1', path.join(folder, '%05d.png')]);
  return folder;
}

/** Mean of one channel (0 = red) over a frame. */
export function channelMean(frame: RgbFrame, channel = 0): number {
  let sum = 0;
  for (let index = channel; index < frame.data.length; index += 3) sum += frame.data[index];
  return sum / (frame.width * frame.height);
}

/** The frame index a colour-coded frame shows, from its red level. */
export function colourFrameIndex(frame: RgbFrame): number {
  return Math.round(channelMean(frame, 0) / RED_STEP);
}
