import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNsfwMobileNetV2 } from './kerasArtifacts.ts';
import { COARSE_LAYER, FEATURES_OUTPUT, FINE_LAYER, buildMobileNetBackbone, buildMobileNetHypercolumn } from './mobileNetModels.ts';

/** C×h×w float32 map. */
interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

function seededImage(height: number, width: number, seed: number): Float32Array {
  const values = new Float32Array(3 * height * width);
  let state = seed;
  for (let index = 0; index < values.length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[index] = (state >>> 8) / 16777216;
  }
  return values;
}

/** Replicates the last row/column so the image becomes paddedHeight×paddedWidth (3×H×W planes). */
function edgePad(image: Float32Array, height: number, width: number, paddedHeight: number, paddedWidth: number): Float32Array {
  const padded = new Float32Array(3 * paddedHeight * paddedWidth);
  for (let channel = 0; channel < 3; channel++) {
    for (let y = 0; y < paddedHeight; y++) {
      for (let x = 0; x < paddedWidth; x++) {
        const source = (channel * height + Math.min(y, height - 1)) * width + Math.min(x, width - 1);
        padded[(channel * paddedHeight + y) * paddedWidth + x] = image[source]!;
      }
    }
  }
  return padded;
}

/** Bilinear ×2 with half-pixel centres (PyTorch align_corners=False), then the top-left height×width window. */
function upsampleTwiceAndCrop(map: FeatureMap, height: number, width: number): FeatureMap {
  const sample = (index: number, size: number): [number, number, number] => {
    const source = Math.max((index + 0.5) / 2 - 0.5, 0);
    const low = Math.min(Math.floor(source), size - 1);
    return [low, Math.min(low + 1, size - 1), source - low];
  };
  const data = new Float32Array(map.channels * height * width);
  for (let channel = 0; channel < map.channels; channel++) {
    for (let y = 0; y < height; y++) {
      const [y0, y1, wy] = sample(y, map.height);
      for (let x = 0; x < width; x++) {
        const [x0, x1, wx] = sample(x, map.width);
        const at = (row: number, column: number) => map.data[(channel * map.height + row) * map.width + column]!;
        const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        data[(channel * height + y) * width + x] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return { channels: map.channels, height, width, data };
}

function crop(map: FeatureMap, height: number, width: number): FeatureMap {
  const data = new Float32Array(map.channels * height * width);
  for (let channel = 0; channel < map.channels; channel++) {
    for (let y = 0; y < height; y++) {
      const start = (channel * map.height + y) * map.width;
      data.set(map.data.subarray(start, start + width), (channel * height + y) * width);
    }
  }
  return { channels: map.channels, height, width, data };
}

/** Concatenates along channels after L2-normalising each map per cell, then normalises the result (eps 1e-12). */
function hypercolumn(maps: FeatureMap[]): FeatureMap {
  const { height, width } = maps[0]!;
  const channels = maps.reduce((sum, map) => sum + map.channels, 0);
  const data = new Float32Array(channels * height * width);
  const cells = height * width;
  for (let cell = 0; cell < cells; cell++) {
    let offset = 0;
    for (const map of maps) {
      let norm = 0;
      for (let channel = 0; channel < map.channels; channel++) norm += map.data[channel * cells + cell]! ** 2;
      const divisor = Math.max(Math.sqrt(norm), 1e-12);
      for (let channel = 0; channel < map.channels; channel++) data[(offset + channel) * cells + cell] = map.data[channel * cells + cell]! / divisor;
      offset += map.channels;
    }
    let norm = 0;
    for (let channel = 0; channel < channels; channel++) norm += data[channel * cells + cell]! ** 2;
    const divisor = Math.max(Math.sqrt(norm), 1e-12);
    for (let channel = 0; channel < channels; channel++) data[channel * cells + cell]! /= divisor;
  }
  return { channels, height, width, data };
}

describe('MobileNetV2 hypercolumn model', () => {
  let backbone: ort.InferenceSession;
  let model: ort.InferenceSession;

  beforeAll(async () => {
    const artifacts = readNsfwMobileNetV2();
    backbone = await ort.InferenceSession.create(buildMobileNetBackbone(artifacts).bytes, { intraOpNumThreads: 1 });
    model = await ort.InferenceSession.create(buildMobileNetHypercolumn(artifacts).bytes, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await backbone?.release();
    await model?.release();
  });

  // 64×96 needs no padding; 50×70 is padded to 64×80 and cropped to 7×9 cells.
  for (const [height, width] of [[64, 96], [50, 70]] as const) {
    it(`outputs ceil(H/8)×ceil(W/8) cells equal to normalised block_5_add ⊕ upsampled block_10 of the edge-padded ${height}×${width} image`, async () => {
      const image = seededImage(height, width, height * width);
      const paddedHeight = Math.ceil(height / 16) * 16;
      const paddedWidth = Math.ceil(width / 16) * 16;
      const padded = edgePad(image, height, width, paddedHeight, paddedWidth);
      const raw = await backbone.run({ image: new ort.Tensor('float32', padded, [1, 3, paddedHeight, paddedWidth]) });
      const asMap = (tensor: ort.Tensor): FeatureMap => {
        const [, channels, mapHeight, mapWidth] = tensor.dims as number[];
        return { channels: channels!, height: mapHeight!, width: mapWidth!, data: tensor.data as Float32Array };
      };
      const cellsHigh = Math.ceil(height / 8);
      const cellsWide = Math.ceil(width / 8);
      const expected = hypercolumn([crop(asMap(raw[FINE_LAYER]!), cellsHigh, cellsWide), upsampleTwiceAndCrop(asMap(raw[COARSE_LAYER]!), cellsHigh, cellsWide)]);

      const actual = (await model.run({ image: new ort.Tensor('float32', image, [1, 3, height, width]) }))[FEATURES_OUTPUT]!;
      expect(actual.dims).toEqual([1, 128, cellsHigh, cellsWide]);
      const data = actual.data as Float32Array;
      let maxDifference = 0;
      for (let index = 0; index < data.length; index++) maxDifference = Math.max(maxDifference, Math.abs(data[index]! - expected.data[index]!));
      expect(maxDifference).toBeLessThan(1e-5);
    });
  }

  it('gives unit-length feature vectors at every cell', async () => {
    const output = (await model.run({ image: new ort.Tensor('float32', seededImage(40, 56, 7), [1, 3, 40, 56]) }))[FEATURES_OUTPUT]!;
    const [, channels, cellsHigh, cellsWide] = output.dims as number[];
    const cells = cellsHigh! * cellsWide!;
    const data = output.data as Float32Array;
    for (let cell = 0; cell < cells; cell++) {
      let norm = 0;
      for (let channel = 0; channel < channels!; channel++) norm += data[channel * cells + cell]! ** 2;
      expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
    }
  });
});
