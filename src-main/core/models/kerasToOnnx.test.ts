import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KerasArtifacts, readNsfwMobileNetV2 } from './kerasArtifacts.ts';
import { COARSE_LAYER, FINE_LAYER, buildMobileNetBackbone } from './mobileNetModels.ts';
import { ModelError } from './modelError.ts';

/** Deterministic uniform [0,1) values (mulberry32) so a failure reproduces. */
function randomUniform(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let index = 0; index < count; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    values[index] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return values;
}

/** The nsfwjs topology cut after `outputs`, with a free input size, loaded by tfjs's own Keras loader. */
async function loadTruncatedTfjsModel(artifacts: KerasArtifacts, outputs: string[]): Promise<tf.LayersModel> {
  const topology = structuredClone(artifacts.modelTopology) as {
    model_config: { config: { layers: Array<{ name: string; config: Record<string, unknown>; inbound_nodes: unknown[][][] }>; output_layers: unknown } };
  };
  const config = topology.model_config.config;
  const byName = new Map(config.layers.map((layer) => [layer.name, layer]));
  const kept = new Set<string>();
  const pending = [...outputs];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (kept.has(name)) continue;
    kept.add(name);
    for (const entry of byName.get(name)!.inbound_nodes[0] ?? []) pending.push(String(entry[0]));
  }
  config.layers = config.layers.filter((layer) => kept.has(layer.name));
  config.layers[0]!.config.batch_input_shape = [null, null, null, 3];
  config.output_layers = outputs.map((name) => [name, 0, 0]);
  const weightData = artifacts.weightData.slice().buffer;
  // strict: false because the manifest also holds the weights of the dropped head (Conv_1, dense_*).
  return tf.loadLayersModel({ load: async () => ({ modelTopology: topology, weightSpecs: artifacts.weightSpecs as tf.io.WeightsManifestEntry[], weightData }) }, { strict: false });
}

/** max |onnx − tfjs| / (max |tfjs| + 1e-6): error relative to the tensor's dynamic range. */
function relativeError(onnxNchw: Float32Array, tfjsNhwc: Float32Array, channels: number, height: number, width: number): number {
  let maxDifference = 0;
  let maxMagnitude = 0;
  for (let channel = 0; channel < channels; channel++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const reference = tfjsNhwc[(y * width + x) * channels + channel]!;
        maxDifference = Math.max(maxDifference, Math.abs(onnxNchw[(channel * height + y) * width + x]! - reference));
        maxMagnitude = Math.max(maxMagnitude, Math.abs(reference));
      }
    }
  }
  return maxDifference / (maxMagnitude + 1e-6);
}

describe('Keras MobileNetV2 → ONNX conversion', () => {
  let artifacts: KerasArtifacts;
  let session: ort.InferenceSession;
  let reference: tf.LayersModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    artifacts = readNsfwMobileNetV2();
    session = await ort.InferenceSession.create(buildMobileNetBackbone(artifacts).bytes, { intraOpNumThreads: 1 });
    reference = await loadTruncatedTfjsModel(artifacts, [FINE_LAYER, COARSE_LAYER]);
  });
  afterAll(async () => {
    reference?.dispose();
    await session?.release();
  });

  // 64×96 is the even case; 50×70 makes every stride-2 stage see odd sizes, where the Keras ZeroPadding2D((0,1),(0,1))
  // + 'valid' padding differs from TF 'same' and any padding mistake shows.
  for (const [height, width, seed] of [[64, 96, 1], [50, 70, 2]] as const) {
    it(`matches the tfjs model at both outputs to 1e-3 relative on random ${height}×${width} input`, async () => {
      const pixels = randomUniform(height * width * 3, seed);
      const nchw = new Float32Array(pixels.length);
      for (let index = 0; index < height * width; index++) {
        for (let channel = 0; channel < 3; channel++) nchw[channel * height * width + index] = pixels[index * 3 + channel]!;
      }
      const onnxOutputs = await session.run({ image: new ort.Tensor('float32', nchw, [1, 3, height, width]) });
      const input = tf.tensor4d(pixels, [1, height, width, 3]);
      const tfjsOutputs = reference.predict(input) as tf.Tensor[];
      for (const [index, name] of [FINE_LAYER, COARSE_LAYER].entries()) {
        const expected = tfjsOutputs[index]!;
        const [, expectedHeight, expectedWidth, channels] = expected.shape as number[];
        const actual = onnxOutputs[name]!;
        expect(actual.dims).toEqual([1, channels, expectedHeight, expectedWidth]);
        const error = relativeError(actual.data as Float32Array, expected.dataSync() as Float32Array, channels!, expectedHeight!, expectedWidth!);
        expect(error, `${name} relative error`).toBeLessThanOrEqual(1e-3);
      }
      input.dispose();
      for (const tensor of tfjsOutputs) tensor.dispose();
    });
  }

  it('names the source file when a layer type cannot be converted', () => {
    const broken = structuredClone(artifacts.modelTopology) as { model_config: { config: { layers: Array<{ name: string; class_name: string }> } } };
    const layer = broken.model_config.config.layers.find((entry) => entry.name === 'block_3_expand_relu')!;
    layer.class_name = 'LeakyReLU';
    const attempt = () => buildMobileNetBackbone({ ...artifacts, modelTopology: broken });
    expect(attempt).toThrowError(ModelError);
    expect(attempt).toThrowError(/model\.min\.js: layer block_3_expand_relu has unsupported type LeakyReLU/);
  });

  it('reports a weight missing from the manifest by name', () => {
    const weightSpecs = artifacts.weightSpecs.filter((spec) => spec.name !== 'block_4_project/kernel');
    const weightData = artifacts.weightData.subarray(0, artifacts.weightData.length - 32 * 192);
    expect(() => buildMobileNetBackbone({ ...artifacts, weightSpecs, weightData })).toThrowError(/no tensor block_4_project\/kernel/);
  });
});

describe('reading the nsfwjs model files', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'correspond-nsfw-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('says which file is missing when the package data is absent', () => {
    expect(() => readNsfwMobileNetV2(directory)).toThrowError(/model\.min\.js: nsfwjs model file not found/);
  });

  it('rejects a weight shard shorter than its manifest', () => {
    const artifacts = readNsfwMobileNetV2();
    const topology = JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1'], weights: artifacts.weightSpecs }] });
    writeFileSync(path.join(directory, 'model.min.js'), `module.exports = ${topology};`);
    writeFileSync(path.join(directory, 'group1-shard1of1.min.js'), `module.exports = ${JSON.stringify(Buffer.from(artifacts.weightData.subarray(0, 1000)).toString('base64'))};`);
    expect(() => readNsfwMobileNetV2(directory)).toThrowError(/group1-shard1of1\.min\.js: weights hold 1000 bytes, the manifest expects 2619461/);
  });
});
