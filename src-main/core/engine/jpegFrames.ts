/**
 * JPEG frames decoded the way the reference saw them (SPEC §5.7): OpenCV's libjpeg(-turbo) converts 4:2:0 JPEGs
 * with "fancy" (triangular) chroma upsampling and its fixed-point YCbCr→RGB tables, while ffmpeg's rgb24 path uses
 * swscale and differs by up to ~77 levels at colour edges. So we take ffmpeg's decoded YCbCr planes (IDCT `int`,
 * libjpeg's integer algorithm) and do libjpeg's upsampling and colour conversion here: ≤ 3 levels from libjpeg.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EngineError } from './engineError.ts';
import type { RgbFrame } from './featureMap.ts';

const run = promisify(execFile);
const MAX_BUFFER = 1 << 30;

async function probe(file: string): Promise<{ width: number; height: number; pixelFormat: string }> {
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,pix_fmt', '-of', 'json', file]);
    const stream = (JSON.parse(stdout) as { streams?: Array<{ width: number; height: number; pix_fmt: string }> }).streams?.[0];
    if (!stream) throw new Error('no video stream');
    return { width: stream.width, height: stream.height, pixelFormat: stream.pix_fmt };
  } catch (error) {
    throw new EngineError('BAD_ARGUMENT', `cannot read image (${(error as Error).message.split('\n')[0]})`, file);
  }
}

/** libjpeg h2v2 fancy upsampling of one chroma plane (chromaWidth×chromaHeight) to width×height. */
export function fancyUpsample420(plane: Uint8Array, chromaWidth: number, chromaHeight: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const columnSums = new Int32Array(chromaWidth);
  for (let outY = 0; outY < height; outY++) {
    const y = outY >> 1;
    const far = outY & 1 ? Math.min(y + 1, chromaHeight - 1) : Math.max(y - 1, 0);
    for (let x = 0; x < chromaWidth; x++) columnSums[x] = 3 * plane[y * chromaWidth + x] + plane[far * chromaWidth + x];
    for (let x = 0; x < chromaWidth; x++) {
      const sum = columnSums[x];
      const left = x === 0 ? sum * 4 + 8 : 3 * sum + columnSums[x - 1] + 8;
      const right = x === chromaWidth - 1 ? sum * 4 + 7 : 3 * sum + columnSums[x + 1] + 7;
      if (2 * x < width) out[outY * width + 2 * x] = left >> 4;
      if (2 * x + 1 < width) out[outY * width + 2 * x + 1] = right >> 4;
    }
  }
  return out;
}

const FIX = (value: number) => Math.floor(value * 65536 + 0.5);
const HALF = 1 << 15;

/** libjpeg's fixed-point YCbCr → RGB (jdcolor.c), clamped to 0..255. */
export function ycbcrToRgb(luma: Uint8Array, cb: Uint8Array, cr: Uint8Array): Uint8Array {
  const out = new Uint8Array(luma.length * 3);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  for (let i = 0; i < luma.length; i++) {
    const y = luma[i];
    const b = cb[i] - 128;
    const r = cr[i] - 128;
    out[i * 3] = clamp(y + ((FIX(1.402) * r + HALF) >> 16));
    out[i * 3 + 1] = clamp(y + ((-FIX(0.34414) * b - FIX(0.71414) * r + HALF) >> 16));
    out[i * 3 + 2] = clamp(y + ((FIX(1.772) * b + HALF) >> 16));
  }
  return out;
}

/** Decodes one JPEG (or any image) to RGB, libjpeg-compatible for 4:2:0 JPEGs, ffmpeg rgb24 otherwise. */
export async function decodeImageLikeOpenCv(file: string): Promise<RgbFrame> {
  const { width, height, pixelFormat } = await probe(file);
  const is420 = pixelFormat === 'yuvj420p' || pixelFormat === 'yuv420p';
  const args = ['-v', 'error', ...(is420 ? ['-idct', 'int'] : []), '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', is420 ? pixelFormat : 'rgb24', '-'];
  let stdout: Buffer;
  try {
    ({ stdout } = await run('ffmpeg', args, { encoding: 'buffer', maxBuffer: MAX_BUFFER }));
  } catch (error) {
    throw new EngineError('BAD_ARGUMENT', `ffmpeg could not decode the image (${(error as Error).message.split('\n')[0]})`, file);
  }
  if (!is420) {
    if (stdout.length !== width * height * 3) throw new EngineError('BAD_ARGUMENT', `decoded ${stdout.length} bytes, expected ${width}×${height}×3`, file);
    return { width, height, data: new Uint8Array(stdout) };
  }
  const chromaWidth = (width + 1) >> 1;
  const chromaHeight = (height + 1) >> 1;
  const lumaSize = width * height;
  const chromaSize = chromaWidth * chromaHeight;
  if (stdout.length !== lumaSize + 2 * chromaSize) throw new EngineError('BAD_ARGUMENT', `decoded ${stdout.length} bytes of YCbCr, expected ${lumaSize + 2 * chromaSize}`, file);
  const bytes = new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length);
  const cb = fancyUpsample420(bytes.subarray(lumaSize, lumaSize + chromaSize), chromaWidth, chromaHeight, width, height);
  const cr = fancyUpsample420(bytes.subarray(lumaSize + chromaSize), chromaWidth, chromaHeight, width, height);
  return { width, height, data: ycbcrToRgb(bytes.subarray(0, lumaSize), cb, cr) };
}
