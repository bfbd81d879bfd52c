import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { ffmpegInfo } from '../video/index.ts';
import type { RgbFrameAt } from './annotationSource.ts';
import { throwIfCancelled } from '../base/cancellation.ts';
import { FormatError } from './formatError.ts';

export interface JpegFramesOptions {
  width: number;
  height: number;
  frameCount: number;
  /** Number of the first file (DAVIS 0). */
  startNumber?: number;
  /** printf pattern of the names, e.g. `%05d.jpg`. */
  pattern?: string;
  signal?: AbortSignal;
}

/**
 * Encodes the clip's RGB frames as numbered JPEGs with one ffmpeg process (rawvideo on stdin, image2 out), so
 * frames stream through and are never all in memory. Frames must arrive in order 0..frameCount-1.
 */
export async function writeJpegFrames(frames: AsyncIterable<RgbFrameAt>, folder: string, options: JpegFramesOptions): Promise<number> {
  const { width, height, frameCount, startNumber = 0, pattern = '%05d.jpg', signal } = options;
  const { ffmpegPath } = await ffmpegInfo();
  const args = ['-hide_banner', '-nostats', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`,
    '-r', '25', '-i', 'pipe:0', '-start_number', String(startNumber), '-q:v', '2', '-f', 'image2', `${folder}/${pattern}`];
  const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = once(child, 'close') as Promise<[number | null]>;
  child.stdin.on('error', () => {}); // a dying ffmpeg reports through its exit code
  let expected = 0;
  try {
    for await (const frame of frames) {
      throwIfCancelled(signal);
      if (expected >= frameCount) break;
      if (frame.frameIndex !== expected) throw new FormatError('BAD_INPUT', `frames must arrive in order: expected frame ${expected}, got ${frame.frameIndex}`);
      if (frame.width !== width || frame.height !== height || frame.data.length !== width * height * 3) {
        throw new FormatError('MISMATCH', `frame ${frame.frameIndex} is ${frame.width}×${frame.height}, the clip is ${width}×${height}`);
      }
      if (!child.stdin.write(frame.data)) await Promise.race([once(child.stdin, 'drain'), exited]);
      expected++;
    }
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  child.stdin.end();
  const [code] = await exited;
  if (code !== 0) throw new FormatError('BAD_FILE', `ffmpeg could not encode the JPEG frames (exit ${code}): ${stderr.trim()}`, folder);
  if (expected !== frameCount) throw new FormatError('MISMATCH', `got ${expected} frames for a clip of ${frameCount}`, folder);
  const written = readdirSync(folder).length;
  if (written !== frameCount) throw new FormatError('BAD_FILE', `ffmpeg wrote ${written} JPEG files for ${frameCount} frames`, folder);
  return written;
}
