import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { embeddedModelFiles, generatedModelsDirectory, BACKBONE_MODEL_ID } from '../models/embeddedModel.ts';
import { ensureTrunkWeights } from '../models/mobileNetWeights.ts';
import { findPython } from './findPython.ts';
import { compareOutputs, dumpReferenceFeatures, parityInput } from './onnxParity.ts';

// The training worker's MobileNetV2 (resources/trainer/mobilenet.py, fed the trunk weights written at install)
// against the embedded backbone ONNX that kerasToOnnx.ts converts from the same nsfwjs weights: two independent
// conversions of one network must agree, or the ImageNet start of a MobileNetV2 FC would not be ImageNet's.
const search = await findPython();
const appRoot = path.resolve(import.meta.dirname, '../../..');

describe.skipIf(!search.found)(`MobileNetV2 trunk in PyTorch ${search.found ? '' : `skipped: ${search.message}`}`, () => {
  it('reproduces the embedded backbone ONNX at blocks 5 and 10 (odd size, Keras padding)', async () => {
    const directory = generatedModelsDirectory(appRoot);
    const { indexFile } = ensureTrunkWeights(directory);
    const height = 70;
    const width = 98;
    const input = parityInput(height, width, 7);
    const session = await ort.InferenceSession.create(embeddedModelFiles(directory, BACKBONE_MODEL_ID).modelFile, { executionProviders: ['cpu'] });
    try {
      const outputs = await session.run({ image: new ort.Tensor('float32', input, [1, 3, height, width]) });
      for (const [block, name] of [[5, 'block_5_add'], [10, 'block_10_project_BN']] as const) {
        const reference = await dumpReferenceFeatures({ pythonExecutable: search.found ? search.python.executable : '', kerasTrunk: indexFile, block }, { input }, height, width);
        const onnx = outputs[name]!;
        expect(onnx.dims.map(Number)).toEqual(reference.shape);
        const { maxAbsDifference, maxAbsReference } = compareOutputs(onnx.data as Float32Array, reference.data as Float32Array);
        expect(maxAbsReference).toBeGreaterThan(1);
        expect(maxAbsDifference / maxAbsReference).toBeLessThan(1e-5);
      }
    } finally {
      await session.release();
    }
  }, 120_000);
});
