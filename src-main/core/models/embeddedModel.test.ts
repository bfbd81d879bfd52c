import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_MODEL_ID, embeddedModelFiles, ensureGeneratedModels, readGeneratedModelMetadata, sha256 } from './embeddedModel.ts';
import { readNsfwMobileNetV2 } from './kerasArtifacts.ts';

describe('generating the embedded models', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'correspond-models-'));
  const artifacts = readNsfwMobileNetV2();
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('writes the hypercolumn model with metadata describing input, output, stride and hash', () => {
    const result = ensureGeneratedModels(directory, { artifacts });
    expect(result.status).toBe('generated');
    const { modelFile, metadataFile } = embeddedModelFiles(directory);
    const metadata = readGeneratedModelMetadata(metadataFile);
    expect(metadata).toMatchObject({
      id: EMBEDDED_MODEL_ID,
      file: 'mobilenetv2-hypercolumn.onnx',
      input: { name: 'image', layout: 'NCHW', valueRange: [0, 1] },
      outputName: 'features',
      stride: 8,
      channels: 128,
      sourceSha256: artifacts.sourceSha256,
    });
    expect(metadata.sha256).toBe(sha256(readFileSync(modelFile)));
  });

  it('leaves current files untouched on a second run', () => {
    const { modelFile } = embeddedModelFiles(directory);
    const before = statSync(modelFile).mtimeMs;
    expect(ensureGeneratedModels(directory, { artifacts }).status).toBe('current');
    expect(statSync(modelFile).mtimeMs).toBe(before);
  });

  it('regenerates a model file whose bytes no longer match its metadata', () => {
    const { modelFile, metadataFile } = embeddedModelFiles(directory);
    appendFileSync(modelFile, 'garbage');
    expect(ensureGeneratedModels(directory, { artifacts }).status).toBe('generated');
    expect(sha256(readFileSync(modelFile))).toBe(readGeneratedModelMetadata(metadataFile).sha256);
  });

  it('names the metadata file when it is missing', () => {
    const missing = path.join(directory, 'absent.json');
    expect(() => readGeneratedModelMetadata(missing)).toThrowError(`${missing}: model metadata not found`);
  });
});
