/**
 * Synthetic clips with a known answer for engine tests: a textured square moving over a textured background.
 * Deterministic (hash noise), no files.
 */
import type { RgbFrame } from '../../src-main/core/engine/featureMap.ts';

export interface SyntheticClip {
  frames: RgbFrame[];
  /** Ground-truth object mask (1 = square) of every frame, H×W. */
  masks: Uint8Array[];
  squareSize: number;
}

function noise(x: number, y: number, seed: number): number {
  let h = (x * 374761393 + y * 668265263 + seed * 2147483647) | 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** A square of `squareSize` px starting at (startX, startY), moving `stepX`, `stepY` px per frame. */
export function movingSquareClip(options: {
  width: number;
  height: number;
  frameCount: number;
  squareSize: number;
  startX: number;
  startY: number;
  stepX: number;
  stepY?: number;
}): SyntheticClip {
  const { width, height, frameCount, squareSize, startX, startY, stepX, stepY = 0 } = options;
  const frames: RgbFrame[] = [];
  const masks: Uint8Array[] = [];
  for (let t = 0; t < frameCount; t++) {
    const data = new Uint8Array(width * height * 3);
    const mask = new Uint8Array(width * height);
    const left = startX + t * stepX;
    const top = startY + t * stepY;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = x >= left && x < left + squareSize && y >= top && y < top + squareSize;
        const o = (y * width + x) * 3;
        if (inside) {
          // Texture fixed to the square (moves with it): warm stripes.
          const u = x - left;
          const v = y - top;
          const stripe = ((u >> 2) + (v >> 2)) & 1;
          data[o] = 200 + Math.floor(50 * noise(u, v, 7));
          data[o + 1] = stripe ? 60 : 140;
          data[o + 2] = 30;
          mask[y * width + x] = 1;
        } else {
          // Static blue-green background texture.
          data[o] = 20 + Math.floor(40 * noise(x >> 1, y >> 1, 1));
          data[o + 1] = 80 + Math.floor(120 * noise(x >> 2, y >> 2, 2));
          data[o + 2] = 120 + Math.floor(120 * noise(x, y, 3));
        }
      }
    }
    frames.push({ width, height, data });
    masks.push(mask);
  }
  return { frames, masks, squareSize };
}

/** Intersection over union of the value-`id` regions of two label maps. */
export function maskIou(a: Uint8Array, b: Uint8Array, id = 1): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const inA = a[i] === id;
    const inB = b[i] === id;
    if (inA && inB) intersection++;
    if (inA || inB) union++;
  }
  return union === 0 ? 1 : intersection / union;
}
