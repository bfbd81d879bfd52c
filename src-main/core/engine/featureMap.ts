import { EngineError } from './engineError.ts';

/** Features of one frame: `data` is C×h×w float32, channel-major (as a CNN emits it). */
export interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** One RGB frame: `data` is height×width×3 uint8, row-major. */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A source of stride-8 features for frames (the pixels extractor, an ONNX model, a fusion of several). */
export interface FeatureStream {
  id: string;
  channels: number;
  stride: 8;
  extract(frame: RgbFrame): Promise<FeatureMap>;
}

/** Allocates a Float32Array on a SharedArrayBuffer so worker threads can read it without copying. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** C×h×w channel-major → (h·w)×C cell-major (contiguous per-cell vectors for dot products), on shared memory. */
export function toCellMajor(map: FeatureMap): Float32Array {
  const { channels, height, width, data } = map;
  const cells = height * width;
  if (data.length !== channels * cells) {
    throw new EngineError('BAD_FEATURES', `feature map has ${data.length} values, expected ${channels}×${height}×${width}`);
  }
  const out = sharedFloat32(data.length);
  for (let c = 0; c < channels; c++) {
    const plane = c * cells;
    for (let i = 0; i < cells; i++) out[i * channels + c] = data[plane + i];
  }
  return out;
}

/** In-place L2 normalisation over channels of a C×h×w map, `F.normalize(dim=1)` with eps 1e-12 (SPEC §2.3). */
export function normalizeChannels(map: FeatureMap): FeatureMap {
  const { channels, height, width, data } = map;
  const cells = height * width;
  const out = new Float32Array(data.length);
  for (let i = 0; i < cells; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const v = data[c * cells + i];
      sum += v * v;
    }
    const norm = Math.max(Math.fround(Math.sqrt(Math.fround(sum))), 1e-12);
    for (let c = 0; c < channels; c++) out[c * cells + i] = data[c * cells + i] / norm;
  }
  return { channels, height, width, data: out };
}

/**
 * Late fusion of several streams (SPEC §2.3, SFC): normalize(cat(normalize(s1), λ2·normalize(s2), …)) over
 * channels. `lambdas[i]` weighs stream i (the first is usually 1). All maps must share the grid size.
 */
export function fuseStreams(maps: FeatureMap[], lambdas: number[]): FeatureMap {
  if (maps.length === 0) throw new EngineError('BAD_ARGUMENT', 'fuseStreams needs at least one feature map');
  if (lambdas.length !== maps.length) throw new EngineError('BAD_ARGUMENT', `got ${maps.length} maps but ${lambdas.length} lambdas`);
  const { height, width } = maps[0];
  for (const map of maps) {
    if (map.height !== height || map.width !== width) {
      throw new EngineError('BAD_FEATURES', `cannot fuse a ${map.width}×${map.height} map with a ${width}×${height} map`);
    }
  }
  const cells = height * width;
  const channels = maps.reduce((total, map) => total + map.channels, 0);
  const data = new Float32Array(channels * cells);
  let offset = 0;
  maps.forEach((map, i) => {
    const normalized = normalizeChannels(map).data;
    const lambda = Math.fround(lambdas[i]);
    for (let j = 0; j < normalized.length; j++) data[offset + j] = normalized[j] * lambda;
    offset += normalized.length;
  });
  return normalizeChannels({ channels, height, width, data });
}
