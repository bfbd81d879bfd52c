/**
 * On-disk feature cache: one folder per (clip, stream, model hashes) key, one float16 file per frame, so
 * re-propagation (new keyframe, other settings) never runs the CNN again. Values pass through float16 on the first
 * run too, so a result is the same whether its features came from the model or from the cache.
 * File layout (little-endian): "CFC1" | u32 channels | u32 height | u32 width | channels·height·width float16.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from './engineError.ts';
import type { FeatureMap } from './featureMap.ts';

const MAGIC = 0x31434643; // "CFC1"
const HEADER_BYTES = 16;

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float32 → IEEE half bits, round to nearest even (overflow → ±Inf, NaN kept). */
export function toHalf(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let result = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && (result & 1))) result++;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1))) result++; // may carry into the exponent: still right
  return sign | result;
}

/** IEEE half bits → number. */
export function fromHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A 65536-entry table: decoding a frame is one lookup per value. */
let halfTable: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = fromHalf(bits);
  }
  return halfTable;
}

export function encodeFeatureFrame(map: FeatureMap): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES + map.data.length * 2);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, map.channels, true);
  view.setUint32(8, map.height, true);
  view.setUint32(12, map.width, true);
  for (let i = 0; i < map.data.length; i++) view.setUint16(HEADER_BYTES + 2 * i, toHalf(map.data[i]), true);
  return bytes;
}

export function decodeFeatureFrame(bytes: Uint8Array, file: string): FeatureMap {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER_BYTES || view.getUint32(0, true) !== MAGIC) {
    throw new EngineError('BAD_FEATURES', 'not a Correspond feature-cache file', file);
  }
  const channels = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  const width = view.getUint32(12, true);
  const count = channels * height * width;
  if (bytes.byteLength !== HEADER_BYTES + 2 * count) {
    throw new EngineError('BAD_FEATURES', `feature-cache file holds ${bytes.byteLength} bytes, expected ${HEADER_BYTES + 2 * count}`, file);
  }
  const table = halfToFloatTable();
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = table[view.getUint16(HEADER_BYTES + 2 * i, true)];
  return { channels, height, width, data };
}

/** The cache key: what identifies the frames (path, size, count, modification) and the stream (id + model hashes). */
export function featureCacheKey(parts: Record<string, string | number>): string {
  const canonical = JSON.stringify(Object.keys(parts).sort().map((key) => [key, parts[key]]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * The folder of one clip's feature caches inside a project's cache folder: every stream's key folder of the clip
 * lives under it, so deleting the clip deletes its features.
 */
export function clipFeatureCacheFolder(projectCacheFolder: string, clipId: string): string {
  return join(projectCacheFolder, 'features', clipId);
}

export interface FeatureCacheStats {
  hits: number;
  misses: number;
}

/** Wraps a per-frame feature provider with the cache folder `root/<key>/`. */
export class FeatureCache {
  readonly folder: string;
  readonly stats: FeatureCacheStats = { hits: 0, misses: 0 };

  constructor(root: string, key: string) {
    this.folder = join(root, key);
    mkdirSync(this.folder, { recursive: true });
  }

  private file(frameIndex: number): string {
    return join(this.folder, `${String(frameIndex).padStart(6, '0')}.cfc`);
  }

  /** Cached features of a frame, or computes, stores (atomically) and returns the float16-rounded ones. */
  async get(frameIndex: number, compute: () => Promise<FeatureMap> | FeatureMap): Promise<FeatureMap> {
    const file = this.file(frameIndex);
    let bytes: Uint8Array | undefined;
    try {
      bytes = readFileSync(file);
    } catch {
      bytes = undefined;
    }
    if (bytes) {
      try {
        const map = decodeFeatureFrame(bytes, file);
        this.stats.hits++;
        return map;
      } catch {
        rmSync(file, { force: true }); // a damaged entry is recomputed, never trusted
      }
    }
    this.stats.misses++;
    const encoded = encodeFeatureFrame(await compute());
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, encoded);
    renameSync(partial, file);
    return decodeFeatureFrame(encoded, file);
  }

  /** Forgets every frame (the model changed under the same key, e.g. a retrained FC). */
  clear(): void {
    rmSync(this.folder, { recursive: true, force: true });
    mkdirSync(this.folder, { recursive: true });
  }
}
