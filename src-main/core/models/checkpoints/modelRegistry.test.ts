import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder.ts';
import { OnnxSessionPool } from '../onnxRuntime.ts';
import { importModel } from './importModel.ts';
import { defaultModelRegistryDirectory, ModelRegistry } from './modelRegistry.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'correspond-registry-'));
const pool = new OnnxSessionPool({ threads: 1, allowCuda: false });
afterAll(async () => {
  await pool.release();
  rmSync(scratch, { recursive: true, force: true });
});

/** A 1×1 convolution with the given stride: output ⌈H/stride⌉×⌈W/stride⌉ with 4 channels. */
function strideModel(file: string, stride: number): string {
  const builder = new OnnxGraphBuilder();
  builder.addInput('image', [1, 3, 'height', 'width']);
  builder.addFloatInitializer('weight', [4, 3, 1, 1], Float32Array.from({ length: 12 }, (_, index) => index / 12));
  builder.add('Conv', ['image', 'weight'], { kernel_shape: [1, 1], strides: [stride, stride] }, 'features');
  builder.addOutput('features', [1, 4, 'h', 'w']);
  writeFileSync(file, builder.encode('stride_test'));
  return file;
}

describe('model registry', () => {
  const directory = path.join(scratch, 'models');
  const registry = new ModelRegistry(directory);
  const contents = () => (existsSync(registry.registryFile) ? readFileSync(registry.registryFile, 'utf8') : 'absent');

  it('is empty before anything is imported', () => {
    expect(registry.list()).toEqual([]);
  });

  it('imports a stride-8 .onnx as <sha256-prefix>.onnx with metadata beside it', async () => {
    const source = strideModel(path.join(scratch, 'fine.onnx'), 8);
    const result = await importModel({ file: source, preset: 'crw', registry, pool });
    expect(result.added).toBe(true);
    expect(result.model).toMatchObject({ name: 'crw-fine', preset: 'crw', role: 'fine-grained', channels: 4, stride: 8, source });
    expect(result.model.id).toMatch(/^[0-9a-f]{16}$/);
    expect(readFileSync(result.modelFile)).toEqual(readFileSync(source));
    const metadata = JSON.parse(readFileSync(path.join(directory, `${result.model.id}.json`), 'utf8'));
    expect(metadata).toMatchObject({ id: result.model.id, file: `${result.model.id}.onnx`, sourceFormat: 'onnx', channels: 4 });
    expect(registry.list()).toEqual([result.model]);
    expect(readdirSync(directory).sort()).toEqual([`${result.model.id}.json`, `${result.model.id}.onnx`, 'registry.json']);
  });

  it('refuses an .onnx whose output is not stride 8 and leaves the registry as it was', async () => {
    const before = contents();
    const source = strideModel(path.join(scratch, 'stride4.onnx'), 4);
    const failure = importModel({ file: source, registry, pool });
    await expect(failure).rejects.toMatchObject({ code: 'MODEL_NOT_STRIDE_8', file: source });
    await expect(failure).rejects.toThrow(/stride4\.onnx: output features is 1×4×16×24 for a 64×96 input; a stride-8 feature map must be 1×C×8×12/);
    expect(contents()).toBe(before);
    expect(readdirSync(directory)).toHaveLength(3);
  });

  it('refuses a second model under a name already taken', async () => {
    const before = contents();
    const different = path.join(scratch, 'different.onnx');
    const builder = new OnnxGraphBuilder();
    builder.addInput('image', [1, 3, 'height', 'width']);
    builder.addFloatInitializer('weight', [2, 3, 1, 1], new Float32Array(6).fill(0.5));
    builder.add('Conv', ['image', 'weight'], { kernel_shape: [1, 1], strides: [8, 8] }, 'features');
    builder.addOutput('features', [1, 2, 'h', 'w']);
    writeFileSync(different, builder.encode('different'));
    await expect(importModel({ file: different, name: 'crw-fine', registry, pool })).rejects.toThrow(/a model named "crw-fine" is already registered/);
    expect(contents()).toBe(before);
  });

  it('refuses checkpoints without a preset or with an unknown one, before reading them', async () => {
    const checkpoint = path.join(scratch, 'weights.pth');
    writeFileSync(checkpoint, 'not read');
    await expect(importModel({ file: checkpoint, registry, pool })).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringMatching(/needs a preset \(sfc-fc, mocov1, mocov2, imagenet-r50, crw, vfs-r18, vfs-r50\)/) });
    await expect(importModel({ file: checkpoint, preset: 'resnet9000', registry, pool })).rejects.toThrow(/unknown preset "resnet9000"/);
  });

  it('reports a file that is not a checkpoint at all', async () => {
    const checkpoint = path.join(scratch, 'notes.pth');
    writeFileSync(checkpoint, 'just some text');
    await expect(importModel({ file: checkpoint, preset: 'crw', registry, pool })).rejects.toMatchObject({
      code: 'MODEL_SOURCE_INVALID',
      message: `${checkpoint}: not a PyTorch checkpoint: neither a zip archive, a tar archive nor a pickle stream`,
    });
    await expect(importModel({ file: path.join(scratch, 'missing.pth'), preset: 'crw', registry, pool })).rejects.toMatchObject({ code: 'MODEL_SOURCE_MISSING' });
  });

  it('finds models by name or id prefix and removes them with their files', () => {
    const [model] = registry.list();
    expect(registry.find(model!.id.slice(0, 6))).toEqual(model);
    expect(registry.find('crw-fine')).toEqual(model);
    expect(registry.remove('crw-fine')).toEqual(model);
    expect(registry.list()).toEqual([]);
    expect(readdirSync(directory)).toEqual(['registry.json']);
    expect(() => registry.remove('crw-fine')).toThrowError(expect.objectContaining({ code: 'MODEL_NOT_REGISTERED' }));
  });

  it('reports a damaged registry file and does not overwrite it', async () => {
    const damaged = new ModelRegistry(path.join(scratch, 'damaged'));
    mkdirSync(damaged.directory, { recursive: true });
    writeFileSync(damaged.registryFile, '{"version": 1, "models": [{"id": "../../etc"}]}');
    expect(() => damaged.list()).toThrowError(expect.objectContaining({ code: 'MODEL_REGISTRY_INVALID', file: damaged.registryFile }));
    await expect(importModel({ file: strideModel(path.join(scratch, 'again.onnx'), 8), registry: damaged, pool })).rejects.toMatchObject({ code: 'MODEL_REGISTRY_INVALID' });
    expect(readFileSync(damaged.registryFile, 'utf8')).toContain('../../etc');
  });
});

describe('default registry folder', () => {
  it('is $CORRESPOND_HOME/models, else the XDG data folder, else ~/.local/share/correspond/models', () => {
    expect(defaultModelRegistryDirectory({ CORRESPOND_HOME: '/data/correspond' }, '/home/ann')).toBe('/data/correspond/models');
    expect(defaultModelRegistryDirectory({ XDG_DATA_HOME: '/xdg' }, '/home/ann')).toBe('/xdg/correspond/models');
    expect(defaultModelRegistryDirectory({ XDG_DATA_HOME: 'relative' }, '/home/ann')).toBe('/home/ann/.local/share/correspond/models');
    expect(defaultModelRegistryDirectory({}, '/home/ann')).toBe('/home/ann/.local/share/correspond/models');
  });
});
