import { EngineError } from './engineError.ts';

/** Channel-last float32 image: `data` is height×width×channels, row-major. */
export interface ChannelLastImage {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

const f32 = Math.fround;

/**
 * Source index and weight of every destination column/row, as OpenCV computes them for INTER_LINEAR
 * (SPEC §2.1): `scale` in double, the sample position rounded to float32, and clamping at both borders.
 */
function sampleTable(sourceSize: number, destinationSize: number): { index: Int32Array; weight: Float32Array } {
  const scale = 1 / (destinationSize / sourceSize);
  const index = new Int32Array(destinationSize);
  const weight = new Float32Array(destinationSize);
  for (let d = 0; d < destinationSize; d++) {
    const position = f32((d + 0.5) * scale - 0.5);
    let s = Math.floor(position);
    let a = f32(position - s);
    if (s < 0) {
      s = 0;
      a = 0;
    }
    if (s >= sourceSize - 1) {
      s = sourceSize - 1;
      a = 0;
    }
    index[d] = s;
    weight[d] = a;
  }
  return { index, weight };
}

/**
 * `cv2.resize(src, (width, height))` with the default INTER_LINEAR on a float32 image, every channel
 * independently, reproducing OpenCV's float32 arithmetic (SPEC §2.1, §5.2): horizontal pass first, then
 * vertical, each a float32 `v0*(1-a) + v1*a`. Used for label down-scaling (×1/8) and prediction up-scaling (×8).
 */
export function bilinearResize(source: ChannelLastImage, width: number, height: number): ChannelLastImage {
  const { width: sourceWidth, height: sourceHeight, channels, data } = source;
  if (!(width > 0 && height > 0 && sourceWidth > 0 && sourceHeight > 0 && channels > 0)) {
    throw new EngineError('BAD_ARGUMENT', `cannot resize ${sourceWidth}×${sourceHeight}×${channels} to ${width}×${height}`);
  }
  if (data.length !== sourceWidth * sourceHeight * channels) {
    throw new EngineError('BAD_ARGUMENT', `image data has ${data.length} values, expected ${sourceWidth}×${sourceHeight}×${channels}`);
  }
  // QUIRK (OpenCV): an exact 2× down-scale on both axes switches INTER_LINEAR to INTER_AREA (2×2 mean).
  if (sourceWidth === 2 * width && sourceHeight === 2 * height) return halve(source);
  const columns = sampleTable(sourceWidth, width);
  const rows = sampleTable(sourceHeight, height);
  const rowStride = width * channels;
  const horizontal = new Float32Array(sourceHeight * rowStride);
  for (let y = 0; y < sourceHeight; y++) {
    const sourceRow = y * sourceWidth * channels;
    const outRow = y * rowStride;
    for (let x = 0; x < width; x++) {
      const s0 = sourceRow + columns.index[x] * channels;
      const s1 = sourceRow + Math.min(columns.index[x] + 1, sourceWidth - 1) * channels;
      const a = columns.weight[x];
      const oneMinusA = f32(1 - a);
      const o = outRow + x * channels;
      for (let c = 0; c < channels; c++) horizontal[o + c] = f32(data[s0 + c] * oneMinusA) + f32(data[s1 + c] * a);
    }
  }
  const out = new Float32Array(height * rowStride);
  for (let y = 0; y < height; y++) {
    const r0 = rows.index[y] * rowStride;
    const r1 = Math.min(rows.index[y] + 1, sourceHeight - 1) * rowStride;
    const b = rows.weight[y];
    const oneMinusB = f32(1 - b);
    const o = y * rowStride;
    for (let i = 0; i < rowStride; i++) out[o + i] = f32(horizontal[r0 + i] * oneMinusB) + f32(horizontal[r1 + i] * b);
  }
  return { width, height, channels, data: out };
}

/** OpenCV's INTER_AREA fast path for an exact 2× reduction: mean of each 2×2 block. */
function halve(source: ChannelLastImage): ChannelLastImage {
  const { width: sourceWidth, channels, data } = source;
  const width = sourceWidth / 2;
  const height = source.height / 2;
  const out = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = ((2 * y) * sourceWidth + 2 * x) * channels;
      const b = a + sourceWidth * channels;
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) {
        out[o + c] = f32(f32(f32(data[a + c] + data[a + channels + c]) + f32(data[b + c] + data[b + channels + c])) * 0.25);
      }
    }
  }
  return { width, height, channels, data: out };
}
