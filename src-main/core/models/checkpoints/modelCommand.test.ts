import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder.ts';

// The CLI is run as a user runs it (bin/correspond.mjs), so core code does not import the CLI layer.
const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/correspond.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'correspond-model-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[]): Promise<{ exitCode: number; result: Record<string, unknown> }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [entry, 'model', ...args], { env: { ...process.env, CORRESPOND_HOME: path.join(scratch, 'home') } }, (error, stdout) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      resolve({ exitCode: error ? Number(error.code) : 0, result: JSON.parse(last) as Record<string, unknown> });
    });
  });
}

function convolutionModel(file: string, stride: number): string {
  const builder = new OnnxGraphBuilder();
  builder.addInput('image', [1, 3, 'height', 'width']);
  builder.addFloatInitializer('weight', [4, 3, 1, 1], new Float32Array(12).fill(0.25));
  builder.add('Conv', ['image', 'weight'], { kernel_shape: [1, 1], strides: [stride, stride] }, 'features');
  builder.addOutput('features', [1, 4, 'h', 'w']);
  writeFileSync(file, builder.encode('cli_test'));
  return file;
}

describe('correspond model', () => {
  const registryDirectory = path.join(scratch, 'home', 'models');

  it('imports, lists and removes a model in $CORRESPOND_HOME/models, ending each run with a JSON line', async () => {
    const imported = await run(['import', convolutionModel(path.join(scratch, 'tiny.onnx'), 8), '--name', 'tiny', '--preset', 'sfc-fc']);
    expect(imported.exitCode).toBe(0);
    expect(imported.result).toMatchObject({ ok: true, added: true, registry: registryDirectory, model: { name: 'tiny', preset: 'sfc-fc', role: 'fine-grained', channels: 4, stride: 8 } });
    const listed = await run(['list']);
    expect(listed.result).toMatchObject({ ok: true, models: [{ name: 'tiny' }] });
    const removed = await run(['remove', 'tiny']);
    expect(removed.result).toMatchObject({ ok: true, removed: { name: 'tiny' } });
    expect(JSON.parse(readFileSync(path.join(registryDirectory, 'registry.json'), 'utf8')).models).toEqual([]);
  }, 60_000);

  it('fails with a JSON error naming the file when the model is not stride 8', async () => {
    const file = convolutionModel(path.join(scratch, 'stride2.onnx'), 2);
    const failed = await run(['import', file, '--registry', path.join(scratch, 'other')]);
    expect(failed.exitCode).toBe(1);
    expect(failed.result).toMatchObject({ ok: false, error: { code: 'MODEL_NOT_STRIDE_8', message: expect.stringContaining(file) } });
  }, 60_000);
});
