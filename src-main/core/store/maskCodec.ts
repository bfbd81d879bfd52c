import { StoreError } from './storeError.ts';
import type { LabelMap } from './types.ts';

/*
 * Lossless run-length code for a row-major uint8 label map (binary mask or small-integer class ids).
 *
 *   bytes 0-1  magic 'R' 'L'
 *   byte  2    format version (1)
 *   byte  3    mode: 0 = binary, 1 = labelled
 *   varint     width, height, runCount
 *   runs       binary:   runCount varint lengths, alternating value 0,1,0,... (the first run is the 0-run and may
 *                        be empty, so a map starting with 1 still decodes unambiguously)
 *              labelled: runCount × (value byte, varint length)
 *
 * Varints are unsigned LEB128 (7 bits per byte, low bits first). Binary mode is chosen whenever every value is 0
 * or 1, since it spends no byte on values — the common case for masks.
 */

const magic0 = 0x52; // 'R'
const magic1 = 0x4c; // 'L'
const formatVersion = 1;
const modeBinary = 0;
const modeLabelled = 1;
/** Larger maps than this are not frames; a header claiming one is corrupt. */
const maxPixelCount = 1 << 30;
const maxVarintBytes = 5;

export function encodeMaskRle(mask: Uint8Array, width: number, height: number): Uint8Array {
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new StoreError('INVALID_INPUT', `mask size must be positive integers, got ${width}×${height}`);
  }
  const pixelCount = width * height;
  if (pixelCount > maxPixelCount) {
    throw new StoreError('INVALID_INPUT', `mask of ${width}×${height} exceeds ${maxPixelCount} pixels`);
  }
  if (!(mask instanceof Uint8Array) || mask.length !== pixelCount) {
    throw new StoreError('INVALID_INPUT', `mask must be a Uint8Array of ${width}×${height} = ${pixelCount} values, got length ${mask?.length}`);
  }
  let binary = true;
  let runCount = 1;
  for (let index = 0; index < pixelCount; index += 1) {
    if (mask[index]! > 1) binary = false;
    if (index > 0 && mask[index] !== mask[index - 1]) runCount += 1;
  }
  if (binary && mask[0] === 1) runCount += 1; // the empty leading 0-run
  const perRunBytes = binary ? maxVarintBytes : 1 + maxVarintBytes;
  const writer = new ByteWriter(4 + 3 * maxVarintBytes + runCount * perRunBytes);
  writer.byte(magic0);
  writer.byte(magic1);
  writer.byte(formatVersion);
  writer.byte(binary ? modeBinary : modeLabelled);
  writer.varint(width);
  writer.varint(height);
  writer.varint(runCount);
  if (binary && mask[0] === 1) writer.varint(0);
  let runStart = 0;
  for (let index = 1; index <= pixelCount; index += 1) {
    if (index < pixelCount && mask[index] === mask[runStart]) continue;
    if (!binary) writer.byte(mask[runStart]!);
    writer.varint(index - runStart);
    runStart = index;
  }
  return writer.finish();
}

/** Size and mode of an RLE blob from its header alone (for checks that need not decode the runs). */
export function maskRleHeader(blob: Uint8Array): { width: number; height: number; binary: boolean } {
  if (!(blob instanceof Uint8Array) || blob.length < 4 || blob[0] !== magic0 || blob[1] !== magic1) {
    throw corrupt('does not start with the RLE magic bytes');
  }
  if (blob[2] !== formatVersion) throw corrupt(`has unknown format version ${blob[2]}`);
  if (blob[3] !== modeBinary && blob[3] !== modeLabelled) throw corrupt(`has unknown mode ${blob[3]}`);
  const reader = new ByteReader(blob);
  reader.offset = 4;
  return { width: reader.varint('width'), height: reader.varint('height'), binary: blob[3] === modeBinary };
}

export function decodeMaskRle(blob: Uint8Array): LabelMap {
  const reader = new ByteReader(blob);
  if (blob.length < 4 || blob[0] !== magic0 || blob[1] !== magic1) {
    throw corrupt('does not start with the RLE magic bytes');
  }
  if (blob[2] !== formatVersion) throw corrupt(`has unknown format version ${blob[2]}`);
  const mode = blob[3];
  if (mode !== modeBinary && mode !== modeLabelled) throw corrupt(`has unknown mode ${mode}`);
  reader.offset = 4;
  const width = reader.varint('width');
  const height = reader.varint('height');
  if (width < 1 || height < 1 || width * height > maxPixelCount) throw corrupt(`has an impossible size ${width}×${height}`);
  const runCount = reader.varint('run count');
  const pixelCount = width * height;
  if (runCount < 1 || runCount > pixelCount + 1) throw corrupt(`has an impossible run count ${runCount}`);
  const data = new Uint8Array(pixelCount);
  let position = 0;
  for (let runIndex = 0; runIndex < runCount; runIndex += 1) {
    const value = mode === modeBinary ? runIndex & 1 : reader.byte('run value');
    const length = reader.varint('run length');
    const mayBeEmpty = mode === modeBinary && runIndex === 0;
    if (length === 0 && !mayBeEmpty) throw corrupt(`has an empty run at run ${runIndex}`);
    if (position + length > pixelCount) throw corrupt(`has runs covering more than ${width}×${height} pixels`);
    if (value !== 0) data.fill(value, position, position + length);
    position += length;
  }
  if (position !== pixelCount) throw corrupt(`has runs covering ${position} of ${pixelCount} pixels`);
  if (reader.offset !== blob.length) throw corrupt(`has ${blob.length - reader.offset} trailing bytes`);
  return { width, height, data };
}

function corrupt(problem: string): StoreError {
  return new StoreError('CORRUPT_DATA', `mask RLE blob ${problem}`);
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

class ByteWriter {
  private readonly bytes: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  byte(value: number): void {
    this.bytes[this.length++] = value;
  }

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class ByteReader {
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  byte(what: string): number {
    if (this.offset >= this.bytes.length) throw corrupt(`ends early while reading the ${what}`);
    return this.bytes[this.offset++]!;
  }

  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let count = 0; count < maxVarintBytes; count += 1) {
      const current = this.byte(what);
      value += (current & 0x7f) * scale;
      if ((current & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw corrupt(`has an over-long varint for the ${what}`);
  }
}
