import { closeSync, openSync, readSync } from 'node:fs';

export interface ImageSize {
  width: number;
  height: number;
}

const HEADER_BYTES = 128 * 1024;

function readPrefix(file: string, length: number): Buffer {
  const descriptor = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const bytesRead = readSync(descriptor, buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    closeSync(descriptor);
  }
}

function pngSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Walks JPEG marker segments to the first start-of-frame; `need-more` when the prefix ends first. */
function jpegSize(bytes: Buffer): ImageSize | 'need-more' | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const segmentLength = bytes.readUInt16BE(offset + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (offset + 9 > bytes.length) return 'need-more';
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    if (marker === 0xda || marker === 0xd9 || segmentLength < 2) return undefined; // scan data before any frame header
    offset += 2 + segmentLength;
  }
  return 'need-more';
}

function bmpSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 26) return undefined;
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize === 12) return { width: bytes.readUInt16LE(18), height: bytes.readUInt16LE(20) };
  // Negative height marks a top-down bitmap.
  return { width: Math.abs(bytes.readInt32LE(18)), height: Math.abs(bytes.readInt32LE(22)) };
}

function webpSize(bytes: Buffer): ImageSize | undefined {
  if (bytes.length < 30 || bytes.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  }
  return undefined;
}

/**
 * Reads the pixel size from an image header (PNG, JPEG, BMP, WebP) without decoding, so a folder of
 * thousands of frames can be checked for equal sizes quickly. Returns undefined when the header is not valid.
 */
export function readImageSize(file: string): ImageSize | undefined {
  let bytes = readPrefix(file, HEADER_BYTES);
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return pngSize(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let size = jpegSize(bytes);
    if (size === 'need-more' && bytes.length === HEADER_BYTES) {
      // Large EXIF/ICC blocks can push the frame header past the first read.
      bytes = readPrefix(file, 64 * 1024 * 1024);
      size = jpegSize(bytes);
    }
    return size === 'need-more' ? undefined : size;
  }
  if (bytes.length >= 2 && bytes.toString('latin1', 0, 2) === 'BM') return bmpSize(bytes);
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF') return webpSize(bytes);
  return undefined;
}
