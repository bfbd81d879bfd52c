import type { ChannelLastImage } from './bilinearResize.ts';
import { EngineError } from './engineError.ts';
import { type FeatureMap, type FeatureStream, normalizeChannels, type RgbFrame } from './featureMap.ts';

const f32 = Math.fround;
const MEAN = [0.485, 0.456, 0.406].map(f32);
const STD = [0.229, 0.224, 0.225].map(f32);

/**
 * The weight-free 48-d "pixels" features of the reference fixtures (SPEC §6): ImageNet-normalised RGB, zero padding
 * right/bottom to a multiple of 8, 2×2 average pooling, then per 8×8 cell the 16 pooled RGB triples as channels
 * c = (dy·4+dx)·3 + rgb, L2-normalised over channels. Output C×h×w with h = ceil(H/8), w = ceil(W/8).
 */
export function pixelsFeatures(frame: RgbFrame): FeatureMap {
  const { width, height, data } = frame;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new EngineError('BAD_ARGUMENT', `RGB frame of ${width}×${height} must hold ${width * height * 3} bytes, got ${data.length}`);
  }
  const unit = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) unit[i] = data[i] / 255;
  return pixelsFeaturesFromUnitRgb({ width, height, channels: 3, data: unit });
}

/** Same features from RGB already scaled to [0, 1] float32 (e.g. after the JHMDB 320×320 bilinear resize, §3.2). */
export function pixelsFeaturesFromUnitRgb(image: ChannelLastImage): FeatureMap {
  const { width, height, data } = image;
  if (image.channels !== 3 || data.length !== width * height * 3) {
    throw new EngineError('BAD_ARGUMENT', `expected a ${width}×${height}×3 float RGB image, got ${data.length} values`);
  }
  const cellsWide = Math.ceil(width / 8);
  const cellsHigh = Math.ceil(height / 8);
  const cells = cellsWide * cellsHigh;
  const out = new Float32Array(48 * cells);
  // Normalised value of one channel at (x, y); the zero padding is applied after normalisation.
  const value = (x: number, y: number, rgb: number): number => {
    if (x >= width || y >= height) return 0;
    const v = data[(y * width + x) * 3 + rgb];
    return f32(f32(v - MEAN[rgb]) / STD[rgb]);
  };
  for (let cy = 0; cy < cellsHigh; cy++) {
    for (let cx = 0; cx < cellsWide; cx++) {
      const cell = cy * cellsWide + cx;
      for (let dy = 0; dy < 4; dy++) {
        for (let dx = 0; dx < 4; dx++) {
          const x = cx * 8 + dx * 2;
          const y = cy * 8 + dy * 2;
          for (let rgb = 0; rgb < 3; rgb++) {
            const sum = f32(f32(f32(value(x, y, rgb) + value(x + 1, y, rgb)) + value(x, y + 1, rgb)) + value(x + 1, y + 1, rgb));
            out[((dy * 4 + dx) * 3 + rgb) * cells + cell] = f32(sum / 4);
          }
        }
      }
    }
  }
  return normalizeChannels({ channels: 48, height: cellsHigh, width: cellsWide, data: out });
}

/** The built-in `pixels` stream: no model, reproduces the fixtures end to end. */
export function createPixelsStream(): FeatureStream {
  return { id: 'pixels', channels: 48, stride: 8, extract: async (frame) => pixelsFeatures(frame) };
}
