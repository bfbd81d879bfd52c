import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../engine/featureMap.ts';
import { openFeatureStream, parseStreamSpec } from './featureStreams.ts';
import { ModelError } from './modelError.ts';
import { OnnxGraphBuilder } from '../onnx/onnxGraphBuilder.ts';
import { OnnxSessionPool } from './onnxRuntime.ts';
import { shippedFcFiles, shippedFcInitialWeights } from './shippedModels.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'correspond-streams-'));
const pool = new OnnxSessionPool({ threads: 1, allowCuda: false });
afterAll(async () => {
  await pool.release();
  rmSync(scratch, { recursive: true, force: true });
});

/** An app root whose resources/models holds a stand-in "shipped FC": a 6-channel stride-8 1×1 convolution. */
function appRootWithShippedFc(): string {
  const appRoot = path.join(scratch, 'app');
  const files = shippedFcFiles(appRoot);
  mkdirSync(path.dirname(files.modelFile), { recursive: true });
  const builder = new OnnxGraphBuilder();
  builder.addInput('image', [1, 3, 'height', 'width']);
  builder.addFloatInitializer('weight', [6, 3, 1, 1], Float32Array.from({ length: 18 }, (_, index) => (index % 7) - 3));
  builder.add('Conv', ['image', 'weight'], { kernel_shape: [1, 1], strides: [8, 8] }, 'features');
  builder.addOutput('features', [1, 6, 'h', 'w']);
  writeFileSync(files.modelFile, builder.encode('shipped_fc_stand_in'));
  return appRoot;
}

function noiseFrame(width: number, height: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < data.length; index += 1) data[index] = (index * 2654435761) >>> 24;
  return { width, height, data };
}

describe('stream specs', () => {
  it('parses fusions with weights and refuses empty parts and bad weights', () => {
    expect(parseStreamSpec('default+fc@0.5')).toEqual([{ name: 'default', lambda: 1 }, { name: 'fc', lambda: 0.5 }]);
    expect(() => parseStreamSpec('default+')).toThrow(/empty part/);
    expect(() => parseStreamSpec('default+fc@-1')).toThrow(/positive number/);
  });
});

describe('the shipped fine-grained stream "fc"', () => {
  it('is a clear error naming the missing file when an installation lacks it', async () => {
    const bare = path.join(scratch, 'bare');
    const error = await openFeatureStream('fc', { pool, appRoot: bare, registryDirectory: path.join(scratch, 'registry') }).catch((caught) => caught);
    expect(error).toBeInstanceOf(ModelError);
    expect(String(error.message)).toContain(shippedFcFiles(bare).modelFile);
    expect(shippedFcInitialWeights(bare)).toBeUndefined();
  });

  it('opens resources/models/fc-default.onnx, alone and fused after the semantic stream', async () => {
    const appRoot = appRootWithShippedFc();
    const options = { pool, appRoot, registryDirectory: path.join(scratch, 'registry') };
    const alone = await openFeatureStream('fc', options);
    expect(alone.channels).toBe(6);
    expect(alone.description).toContain('shipped fine-grained');
    const fused = await openFeatureStream('pixels+fc@0.5', options);
    expect(fused.channels).toBe(48 + 6);
    const map = await fused.extract(noiseFrame(32, 24));
    expect([map.height, map.width, map.channels]).toEqual([3, 4, 54]);
    // Fused as SPEC §2.3: each part normalised, the FC part weighted by λ, the whole normalised again.
    let pixelsEnergy = 0;
    let fcEnergy = 0;
    for (let channel = 0; channel < 54; channel += 1) {
      const value = map.data[channel * map.height * map.width];
      if (channel < 48) pixelsEnergy += value * value;
      else fcEnergy += value * value;
    }
    expect(pixelsEnergy + fcEnergy).toBeCloseTo(1, 5);
    expect(fcEnergy / pixelsEnergy).toBeCloseTo(0.25, 4);
  });
});
