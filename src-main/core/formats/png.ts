import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { decode, encode, hasPngSignature } from 'fast-png';
import { frameSizeProblem } from '../video/frameLimits.ts';
import { InflateLimitError, inflateWithin } from './boundedInflate.ts';
import { vocColorMap } from './palette.ts';

/** Bad PNG input: names the file and what is wrong with it. */
export class PngError extends Error {
  constructor(
    readonly code: 'NOT_PNG' | 'CORRUPT' | 'UNSUPPORTED' | 'TOO_LARGE',
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'PngError';
  }
}

/** One 8-bit label map: `indices` is H×W, row-major, one value per pixel (palette index or grey level). */
export interface IndexedImage {
  width: number;
  height: number;
  indices: Uint8Array;
  /** Flat RGB palette (3 bytes per entry) when the PNG was a palette PNG. */
  palette?: Uint8Array;
}

/** An RGB image: `data` is H×W×3, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** What a PNG's IHDR chunk declares. */
export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  /** Samples per pixel: 1 grey or palette, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  interlaced: boolean;
}

const CHANNELS_OF_COLOUR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const PNG_SIGNATURE_BYTES = 8;

/**
 * Reads the IHDR chunk (the first 33 bytes of a PNG) and checks the size against the frame cap, so a header that
 * declares 12000×12000 pixels is refused before a byte is inflated.
 */
export function readPngHeader(bytes: Uint8Array, file?: string): PngHeader {
  if (bytes.length === 0) throw new PngError('NOT_PNG', 'the file is empty (0 bytes)', file);
  if (!hasPngSignature(bytes)) throw new PngError('NOT_PNG', 'not a PNG file (bad signature)', file);
  if (bytes.length < 33) throw new PngError('CORRUPT', 'corrupt or truncated PNG (the file ends inside its header)', file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder('latin1').decode(bytes.subarray(12, 16)) !== 'IHDR') throw new PngError('CORRUPT', 'corrupt PNG (the first chunk is not IHDR)', file);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24];
  const channels = CHANNELS_OF_COLOUR_TYPE[bytes[25]];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) throw new PngError('CORRUPT', `corrupt PNG (colour type ${bytes[25]}, bit depth ${depth})`, file);
  const tooLarge = frameSizeProblem(width, height);
  if (tooLarge) throw new PngError('TOO_LARGE', tooLarge, file);
  return { width, height, depth, channels, interlaced: bytes[28] === 1 };
}

/** readPngHeader on the first bytes of `file` only: checks a whole sequence's sizes without reading the pixels. */
export function readPngHeaderOfFile(file: string): PngHeader {
  const head = Buffer.alloc(33);
  const descriptor = openSync(file, 'r');
  try {
    return readPngHeader(head.subarray(0, readSync(descriptor, head, 0, head.length, 0)), file);
  } finally {
    closeSync(descriptor);
  }
}

/** Bytes the image data inflates to: per row one filter byte and the packed samples; Adam7 has seven sub-images. */
function inflatedBytesOf(header: PngHeader): number {
  const rowBytes = (width: number) => Math.ceil((width * header.channels * header.depth) / 8);
  if (!header.interlaced) return header.height * (1 + rowBytes(header.width));
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil(Math.max(0, header.width - x0) / dx);
    const passHeight = Math.ceil(Math.max(0, header.height - y0) / dy);
    if (passWidth > 0 && passHeight > 0) total += passHeight * (1 + rowBytes(passWidth));
  }
  return total;
}

/** Joins the IDAT chunks (their lengths bounded by the file, so nothing here outgrows the file itself). */
function imageData(bytes: Uint8Array, file?: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let offset = PNG_SIGNATURE_BYTES;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = new TextDecoder('latin1').decode(bytes.subarray(offset + 4, offset + 8));
    if (offset + 12 + length > bytes.length) break; // truncated: fast-png reports it
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  if (parts.length === 0) throw new PngError('CORRUPT', 'corrupt or truncated PNG (no image data)', file);
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * Decodes after two checks that cost no more memory than the image: the declared size is within the frame cap, and
 * the image data inflates to no more than that size needs (a 140 KB file can otherwise inflate to gigabytes).
 */
function decodeChecked(bytes: Uint8Array, file?: string) {
  const header = readPngHeader(bytes, file);
  const expectedBytes = inflatedBytesOf(header);
  try {
    inflateWithin(imageData(bytes, file), expectedBytes, 'zlib');
  } catch (error) {
    if (error instanceof PngError) throw error;
    if (error instanceof InflateLimitError) {
      throw new PngError('CORRUPT', `the image data inflates past the ${expectedBytes} bytes its ${header.width}×${header.height} header declares (corrupt file or decompression bomb)`, file);
    }
    // Damaged or truncated data: fast-png below names the problem the way it always has.
  }
  try {
    return decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PngError('CORRUPT', `corrupt or truncated PNG (${reason})`, file);
  }
}

/**
 * Decodes a label PNG to indices, as `np.array(Image.open(p))` sees it (SPEC §1.1): palette PNGs give their
 * indices, 8-bit grey PNGs their grey values. Anything else (RGB, 16-bit, alpha) is refused: label maps must be
 * single-channel 8-bit.
 */
export function decodeIndexedPng(bytes: Uint8Array, file?: string): IndexedImage {
  const png = decodeChecked(bytes, file);
  const isPalette = png.palette !== undefined && png.channels === 1;
  if (png.channels !== 1) {
    throw new PngError('UNSUPPORTED', `expected a palette or 8-bit grey label PNG, got ${png.channels} channels`, file);
  }
  if (!isPalette && png.depth !== 8) {
    throw new PngError('UNSUPPORTED', `expected 8-bit grey values, got ${png.depth}-bit`, file);
  }
  const pixelCount = png.width * png.height;
  let indices: Uint8Array;
  if (png.depth === 8) indices = new Uint8Array(png.data.buffer, png.data.byteOffset, pixelCount).slice();
  else indices = unpackBits(png.data as Uint8Array, png.width, png.height, png.depth);
  let palette: Uint8Array | undefined;
  if (isPalette) {
    palette = new Uint8Array(png.palette!.length * 3);
    png.palette!.forEach((entry, i) => palette!.set(entry.slice(0, 3), i * 3));
  }
  return { width: png.width, height: png.height, indices, palette };
}

/** Palette PNGs of 1, 2 or 4 bits pack several pixels per byte, each row starting on a byte boundary. */
function unpackBits(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

export function readIndexedPng(file: string): IndexedImage {
  return decodeIndexedPng(readFileSync(file), file);
}

/** Encodes an 8-bit palette PNG; the palette defaults to the DAVIS/VOC colour map (256 entries). */
export function encodeIndexedPng(image: IndexedImage, palette: Uint8Array = image.palette ?? vocColorMap()): Uint8Array {
  const entries: number[][] = [];
  for (let i = 0; i < palette.length / 3; i++) entries.push([palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]]);
  return encode({ width: image.width, height: image.height, data: image.indices, depth: 8, channels: 1, palette: entries });
}

export function writeIndexedPng(file: string, image: IndexedImage, palette?: Uint8Array): void {
  writeFileSync(file, encodeIndexedPng(image, palette));
}

/** Encodes an 8-bit single-channel grey PNG (e.g. VIP class-id maps, DAVIS-2016 binary masks). */
export function encodeGreyPng(width: number, height: number, values: Uint8Array): Uint8Array {
  return encode({ width, height, data: values, depth: 8, channels: 1 });
}

/** Decodes any 8-bit PNG to RGB (palette expanded, grey replicated, alpha dropped). */
export function decodeRgbPng(bytes: Uint8Array, file?: string): RgbImage {
  const png = decodeChecked(bytes, file);
  if (png.depth !== 8 && png.palette === undefined) {
    throw new PngError('UNSUPPORTED', `expected 8-bit colour, got ${png.depth}-bit`, file);
  }
  const pixelCount = png.width * png.height;
  const out = new Uint8Array(pixelCount * 3);
  if (png.palette) {
    const { indices } = decodeIndexedPng(bytes, file);
    for (let i = 0; i < pixelCount; i++) {
      const entry = png.palette[indices[i]] ?? [0, 0, 0];
      out[i * 3] = entry[0];
      out[i * 3 + 1] = entry[1];
      out[i * 3 + 2] = entry[2];
    }
    return { width: png.width, height: png.height, data: out };
  }
  const channels = png.channels;
  const data = png.data;
  for (let i = 0; i < pixelCount; i++) {
    if (channels <= 2) {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[i * channels];
    } else {
      out[i * 3] = data[i * channels];
      out[i * 3 + 1] = data[i * channels + 1];
      out[i * 3 + 2] = data[i * channels + 2];
    }
  }
  return { width: png.width, height: png.height, data: out };
}

export function encodeRgbPng(image: RgbImage): Uint8Array {
  return encode({ width: image.width, height: image.height, data: image.data, depth: 8, channels: 3 });
}
