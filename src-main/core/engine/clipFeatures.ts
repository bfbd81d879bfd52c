import { EngineError } from './engineError.ts';
import type { FeatureMap } from './featureMap.ts';
import { readNpy } from './npy.ts';

/** Per-frame features of a clip: frame count, grid and a provider the session can call. */
export interface ClipFeatures {
  frameCount: number;
  channels: number;
  height: number;
  width: number;
  frame(frameIndex: number): FeatureMap;
}

/**
 * Features a research user brings as one float32 .npy of shape C×T×h×w (the CRW layout of `feats`, as the
 * reference fixtures store them). Used as given: L2-normalise them beforehand if the protocol wants it.
 */
export function readClipFeaturesNpy(file: string): ClipFeatures {
  const array = readNpy(file);
  if (array.dtype !== '<f4') throw new EngineError('BAD_FEATURES', `expected float32 ('<f4') features, got '${array.dtype}'`, file);
  if (array.shape.length !== 4) throw new EngineError('BAD_FEATURES', `expected a C×T×h×w array, got shape (${array.shape.join(', ')})`, file);
  const [channels, frameCount, height, width] = array.shape;
  const data = array.data as Float32Array;
  const plane = height * width;
  return {
    frameCount,
    channels,
    height,
    width,
    frame(frameIndex: number): FeatureMap {
      if (frameIndex < 0 || frameIndex >= frameCount) throw new EngineError('BAD_ARGUMENT', `frame ${frameIndex} is outside 0..${frameCount - 1}`, file);
      const out = new Float32Array(channels * plane);
      for (let c = 0; c < channels; c++) out.set(data.subarray((c * frameCount + frameIndex) * plane, (c * frameCount + frameIndex + 1) * plane), c * plane);
      return { channels, height, width, data: out };
    },
  };
}
