import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../engine/npy.ts';
import { OnnxFeatureStream } from '../onnxFeatureStream.ts';
import { OnnxSessionPool } from '../onnxRuntime.ts';
import { checkpointFixtures } from '../../../../tests/support/checkpointFixtures.ts';
import { importModel } from './importModel.ts';
import { ModelRegistry } from './modelRegistry.ts';

// Fixtures come from fixtures/make_checkpoints.py run with a Python that has torch (cached in the temp folder).
const prepared = await checkpointFixtures();
const fixtures = prepared.available ? prepared.fixtures : undefined;
const scratch = mkdtempSync(path.join(tmpdir(), 'correspond-checkpoints-'));
const pool = new OnnxSessionPool({ threads: 1, allowCuda: false });
/** "file size" → max |onnx − torch| / max |torch|, printed at the end for the record. */
const measured: Record<string, number> = {};

afterAll(async () => {
  await pool.release();
  rmSync(scratch, { recursive: true, force: true });
  if (Object.keys(measured).length > 0) {
    const lines = Object.entries(measured).map(([name, error]) => `  ${name.padEnd(36)} ${error.toExponential(2)}`);
    process.stdout.write(`max relative error (max|onnx − torch| / max|torch|), torch ${fixtures?.torch}:\n${lines.join('\n')}\n`);
  }
});

if (!prepared.available) it.skip(`PyTorch parity and bad-checkpoint tests skipped: ${prepared.reason}`, () => {});

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let magnitude = 0;
  for (let index = 0; index < expected.length; index++) {
    difference = Math.max(difference, Math.abs(actual[index]! - expected[index]!));
    magnitude = Math.max(magnitude, Math.abs(expected[index]!));
  }
  return difference / magnitude;
}

describe.skipIf(fixtures === undefined)('checkpoint import matches PyTorch', () => {
  const registry = new ModelRegistry(path.join(scratch, 'registry'));
  const at = (name: string) => path.join(fixtures!.directory, name);

  it.each(fixtures?.checkpoints ?? [])('converts $file ($preset, $format) to a stride-8 model within 1e-4 of PyTorch', async ({ file, preset, reference }) => {
    const result = await importModel({ file: at(file), preset, registry, pool });
    expect(result.added).toBe(true);
    expect(result.model).toMatchObject({ preset, stride: 8 });
    const stream = await OnnxFeatureStream.load(pool, result.modelFile);
    for (const [size, inputFile] of Object.entries(fixtures!.inputs)) {
      const input = readNpy(at(inputFile));
      const [height, width] = input.shape as [number, number, number];
      const features = await stream.extract({ width, height, data: input.data as Uint8Array });
      const expected = readNpy(at(fixtures!.references[reference]![size]!));
      expect([1, features.channels, features.height, features.width]).toEqual(expected.shape);
      expect([features.height, features.width]).toEqual([Math.ceil(height / 8), Math.ceil(width / 8)]);
      const error = maxRelativeError(features.data, expected.data as Float32Array);
      measured[`${file} ${size}`] = error;
      expect(error).toBeLessThanOrEqual(1e-4);
    }
  }, 180_000);

  it('records the preset, normalisation and source in the metadata next to the model', () => {
    const crw = registry.list().find((model) => model.preset === 'crw')!;
    const metadata = JSON.parse(readFileSync(path.join(registry.directory, crw.metadataFile), 'utf8'));
    expect(metadata).toMatchObject({
      id: crw.id,
      file: `${crw.id}.onnx`,
      preset: 'crw',
      padding: 'reflect',
      role: 'fine-grained',
      channels: 256,
      stride: 8,
      sourceFormat: 'legacy',
      input: { valueRange: [0, 1], mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
      streamOptions: { mean: [0, 0, 0], std: [1, 1, 1] },
      stateDict: { container: 'model', prefix: 'encoder.model.', layout: 'torchvision' },
    });
    const vfs = registry.list().find((model) => model.preset === 'vfs-r50')!;
    expect(JSON.parse(readFileSync(path.join(registry.directory, vfs.metadataFile), 'utf8')).stateDict).toMatchObject({ prefix: 'backbone.', layout: 'mmcv' });
  });

  it('gives the same model id when the same checkpoint is imported twice', async () => {
    const before = registry.list();
    const again = await importModel({ file: at('vfs-r18.pth'), preset: 'vfs-r18', name: 'another-name', registry, pool });
    expect(again.added).toBe(false);
    expect(registry.list()).toEqual(before);
  });
});

describe.skipIf(fixtures === undefined)('bad checkpoints are refused with the file named and the registry unchanged', () => {
  const registry = new ModelRegistry(path.join(scratch, 'bad-registry'));
  const at = (name: string) => path.join(fixtures!.directory, name);
  const registryState = () => (existsSync(registry.registryFile) ? readFileSync(registry.registryFile, 'utf8') : 'absent');

  async function expectRefused(file: string, preset: string, code: string, pattern: RegExp): Promise<void> {
    const before = registryState();
    const failure = importModel({ file, preset, registry, pool });
    await expect(failure).rejects.toMatchObject({ code, file: path.resolve(file) });
    await expect(failure).rejects.toThrow(pattern);
    expect(registryState()).toBe(before);
  }

  it.each([
    ['sfc-fc.pth', 'zip'],
    ['crw.pth', 'legacy'],
    ['sfc-fc-tar.pth', 'tar'],
  ])('reports a truncated %s (%s format)', async (file, format) => {
    const bytes = readFileSync(at(file));
    const truncated = path.join(scratch, `truncated-${format}.pth`);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const preset = file.startsWith('crw') ? 'crw' : 'sfc-fc';
    await expectRefused(truncated, preset, 'MODEL_TRUNCATED', /truncated|cut short|ends/);
  });

  it('reports a checkpoint whose keys match no ResNet', async () => {
    await expectRefused(at(fixtures!.bad.unknownArchitecture), 'mocov2', 'MODEL_UNKNOWN_ARCHITECTURE', /no torchvision-style ResNet.*features\.0\.weight/);
  });

  it('reports a ResNet-18 checkpoint imported with a ResNet-50 preset', async () => {
    await expectRefused(at('vfs-r18.pth'), 'vfs-r50', 'MODEL_UNKNOWN_ARCHITECTURE', /ResNet-18 trunk, but preset vfs-r50 expects a ResNet-50 \(presets for this network: sfc-fc, crw, vfs-r18\)/);
  });

  it('refuses a pickle that would run os.system, without running it', async () => {
    await expectRefused(at(fixtures!.bad.unsafeOsSystem), 'sfc-fc', 'MODEL_UNSAFE_PICKLE', /(posix|os)\.system.*nothing was executed/);
    expect(existsSync(fixtures!.bad.marker)).toBe(false);
  });

  it('refuses torch.storage._load_from_bytes', async () => {
    await expectRefused(at(fixtures!.bad.unsafeLoadFromBytes), 'sfc-fc', 'MODEL_UNSAFE_PICKLE', /torch\.storage\._load_from_bytes/);
  });

  it('refuses a pickled nn.Module, naming its class', async () => {
    await expectRefused(at(fixtures!.bad.wholeModule), 'sfc-fc', 'MODEL_UNSAFE_PICKLE', /torch\.nn\.modules\.conv\.Conv2d/);
  });
});
