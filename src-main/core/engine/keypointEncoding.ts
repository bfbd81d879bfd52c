import type { ChannelLastImage } from './bilinearResize.ts';
import { EngineError } from './engineError.ts';
import { makeHeap, replaceTop, sortHeap } from './topK.ts';

const f32 = Math.fround;

/** Geometry of the JHMDB protocol (SPEC §3.2): frames resized to inputWidth×inputHeight, maps at `stride`. */
export interface KeypointGeometry {
  frameWidth: number;
  frameHeight: number;
  /** Network input size after the (aspect-ignoring) resize; JHMDB uses 320×320. */
  inputWidth: number;
  inputHeight: number;
  stride: number;
}

/** A joint position in 0-based frame pixels; `null` for a joint with no annotation. */
export type Keypoint = { x: number; y: number } | null;

/**
 * Gaussian label maps of one frame's joints (SPEC §3.2, `draw_labelmap` with sigma 0.5): h×w×(1+J) float32,
 * channel 0 = background (1 where no joint channel is non-zero), channel 1+j = joint j. Each joint writes
 * (assigns, not max) a 4×4 patch `exp(-((xx-2)²+(yy-2)²)/0.5)` at `ul = int(x'-1.5)`, truncating toward zero.
 */
export function encodeKeypoints(joints: Keypoint[], geometry: KeypointGeometry): ChannelLastImage {
  const { frameWidth, frameHeight, inputWidth, inputHeight, stride } = geometry;
  const width = Math.ceil(inputWidth / stride);
  const height = Math.ceil(inputHeight / stride);
  const channels = joints.length + 1;
  const data = new Float32Array(width * height * channels);
  const gaussian = new Float32Array(16);
  for (let yy = 0; yy < 4; yy++) for (let xx = 0; xx < 4; xx++) gaussian[yy * 4 + xx] = f32(Math.exp(-((xx - 2) ** 2 + (yy - 2) ** 2) / 0.5));
  joints.forEach((joint, j) => {
    if (!joint) return;
    if (!Number.isFinite(joint.x) || !Number.isFinite(joint.y)) throw new EngineError('BAD_LABELS', `joint ${j} has a non-finite position`);
    // Same operation order as jhmdb.py: x * newW / W / mapScale, in double.
    const x = (joint.x * inputWidth) / frameWidth / stride;
    const y = (joint.y * inputHeight) / frameHeight / stride;
    const left = Math.trunc(x - 1.5);
    const top = Math.trunc(y - 1.5);
    const right = Math.trunc(x + 2.5);
    const bottom = Math.trunc(y + 2.5);
    if (left >= width || top >= height || right < 0 || bottom < 0) return;
    for (let row = Math.max(0, top); row < Math.min(bottom, height); row++) {
      for (let column = Math.max(0, left); column < Math.min(right, width); column++) {
        data[(row * width + column) * channels + 1 + j] = gaussian[(row - top) * 4 + (column - left)];
      }
    }
  });
  for (let cell = 0; cell < width * height; cell++) {
    let any = false;
    for (let c = 1; c < channels; c++) if (data[cell * channels + c] !== 0) any = true;
    data[cell * channels] = any ? 0 : 1;
  }
  return { width, height, channels, data };
}

/**
 * Joint positions from propagated maps (SPEC §3.3, `process_pose` top-3): for channel 1+j, the 3 largest cells
 * (torch.topk tie order) weighted by their normalised values; feature-cell units, no +0.5. A channel summing to 0
 * gives (-1, -1).
 */
export function decodeKeypoints(prediction: ChannelLastImage, topCount = 3): Array<{ x: number; y: number }> {
  const { width, height, channels, data } = prediction;
  const cellCount = width * height;
  const kept = Math.min(topCount, cellCount);
  const values = new Float32Array(kept);
  const indices = new Int32Array(kept);
  const out: Array<{ x: number; y: number }> = [];
  for (let c = 1; c < channels; c++) {
    let total = 0;
    for (let i = 0; i < kept; i++) {
      values[i] = data[i * channels + c];
      indices[i] = i;
    }
    makeHeap(values, indices, kept);
    for (let i = 0; i < cellCount; i++) {
      const value = data[i * channels + c];
      total += value;
      if (i >= kept && value > values[0]) replaceTop(values, indices, kept, value, i);
    }
    if (total === 0) {
      out.push({ x: -1, y: -1 });
      continue;
    }
    sortHeap(values, indices, kept);
    let sum = 0;
    for (let i = 0; i < kept; i++) sum = f32(sum + values[i]);
    let x = 0;
    let y = 0;
    for (let i = 0; i < kept; i++) {
      const weight = f32(values[i] / sum);
      x = f32(x + f32((indices[i] % width) * weight));
      y = f32(y + f32(Math.floor(indices[i] / width) * weight));
    }
    out.push({ x, y });
  }
  return out;
}
