import * as ort from 'onnxruntime-node';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKBONE_MODEL_ID, EMBEDDED_MODEL_ID, embeddedModelFiles, ensureGeneratedModels } from './embeddedModel.ts';
import { ModelError } from './modelError.ts';
import { OnnxFeatureStream } from './onnxFeatureStream.ts';
import { OnnxSessionPool, describeComputeDevice } from './onnxRuntime.ts';

const cudaLibrary = path.resolve('node_modules/onnxruntime-node/bin/napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');

describe('compute device', () => {
  it.skipIf(existsSync(cudaLibrary))('reports the CPU with every core and says no CUDA provider is installed', () => {
    const device = describeComputeDevice();
    expect(device).toEqual({
      device: 'cpu',
      label: `CPU · ${availableParallelism()} thread${availableParallelism() === 1 ? '' : 's'}`,
      reason: 'no CUDA execution provider installed (onnxruntime-node CPU build)',
      threads: availableParallelism(),
    });
  });

  it('uses the thread count it is given', () => {
    expect(new OnnxSessionPool({ threads: 1, allowCuda: false }).describeComputeDevice()).toMatchObject({ device: 'cpu', threads: 1, label: 'CPU · 1 thread' });
  });
});

describe('ONNX sessions and feature streams', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'correspond-onnx-'));
  const pool = new OnnxSessionPool({ threads: 1 });
  const hypercolumnFile = embeddedModelFiles(directory, EMBEDDED_MODEL_ID).modelFile;
  const backboneFile = embeddedModelFiles(directory, BACKBONE_MODEL_ID).modelFile;

  beforeAll(() => {
    ensureGeneratedModels(directory);
  });
  afterAll(async () => {
    await pool.release();
    rmSync(directory, { recursive: true, force: true });
  });

  it('hands out one session per model content', async () => {
    const first = await pool.load(hypercolumnFile);
    const second = await pool.load(hypercolumnFile);
    const other = await pool.load(backboneFile);
    expect(second.session).toBe(first.session);
    expect(other.session).not.toBe(first.session);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file when a model is missing or is not ONNX', async () => {
    const missing = path.join(directory, 'absent.onnx');
    await expect(pool.load(missing)).rejects.toMatchObject({ code: 'MODEL_UNREADABLE', file: missing });
    const broken = path.join(directory, 'broken.onnx');
    writeFileSync(broken, 'not a protobuf at all');
    const attempt = pool.load(broken);
    await expect(attempt).rejects.toBeInstanceOf(ModelError);
    await expect(attempt).rejects.toThrowError(`${broken}: onnxruntime cannot load this model`);
  });

  it('extracts 128-channel stride-8 features of an RGB frame, fed as RGB/255', async () => {
    const stream = await OnnxFeatureStream.load(pool, hypercolumnFile, { id: EMBEDDED_MODEL_ID });
    expect([stream.id, stream.channels, stream.stride]).toEqual([EMBEDDED_MODEL_ID, 128, 8]);
    const width = 70;
    const height = 50;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, index) => (index * 37) % 256);
    const features = await stream.extract({ width, height, data: rgb });
    expect([features.channels, features.height, features.width]).toEqual([128, 7, 9]);

    const planar = new Float32Array(rgb.length);
    for (let pixel = 0; pixel < width * height; pixel++) {
      for (let channel = 0; channel < 3; channel++) planar[channel * width * height + pixel] = rgb[pixel * 3 + channel]! / 255;
    }
    const { session } = await pool.load(hypercolumnFile);
    const direct = (await session.run({ image: new ort.Tensor('float32', planar, [1, 3, height, width]) })).features!.data as Float32Array;
    let maxDifference = 0;
    for (let index = 0; index < direct.length; index++) maxDifference = Math.max(maxDifference, Math.abs(direct[index]! - features.data[index]!));
    expect(maxDifference).toBeLessThan(1e-6);
  });

  it('refuses an output that is not a ceil(H/8)×ceil(W/8) map, naming the file', async () => {
    await expect(OnnxFeatureStream.load(pool, backboneFile)).rejects.toMatchObject({ code: 'MODEL_INVALID', file: backboneFile });
    // stride 16: 4×6 instead of 8×12.
    await expect(OnnxFeatureStream.load(pool, backboneFile, { outputName: 'block_10_project_BN' })).rejects.toThrowError(
      `${backboneFile}: output block_10_project_BN is 1×96×4×6 for a 64×96 input; a stride-8 feature map must be 1×C×8×12`,
    );
    // stride 8 but floor-sized (Keras padding without the hypercolumn model's pad to 16): 4×6 instead of 5×7 at 36×52.
    await expect(OnnxFeatureStream.load(pool, backboneFile, { outputName: 'block_5_add' })).rejects.toMatchObject({ code: 'MODEL_NOT_STRIDE_8' });
  });

  it('rejects a frame whose byte count does not match its size', async () => {
    const stream = await OnnxFeatureStream.load(pool, hypercolumnFile);
    await expect(stream.extract({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 3 - 1) })).rejects.toMatchObject({ code: 'MODEL_BAD_FRAME' });
  });
});
