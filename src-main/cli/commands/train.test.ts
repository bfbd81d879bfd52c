import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureStdout } from '../capturedOutput.ts';
import { UsageError } from '../cliCommand.ts';
import { findPython } from '../../core/training/findPython.ts';
import { command } from './train.ts';

const search = await findPython();
const hasFfmpeg = existsSync('/usr/bin/ffmpeg') || existsSync('/usr/local/bin/ffmpeg');
const folder = mkdtempSync(join(tmpdir(), 'correspond-train-cli-'));
const framesDir = join(folder, 'frames');
mkdirSync(framesDir);

describe('correspond train', () => {
  const printed = captureStdout();
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('refuses two starts, an architecture beside a start file, and a missing frames folder', async () => {
    await expect(command.run(['--frames', framesDir, '--imagenet', '--scratch'])).rejects.toThrow(/one of --init-from, --imagenet and --scratch/);
    await expect(command.run(['--frames', framesDir, '--architecture', 'mobilenetv2'])).rejects.toThrow(/--architecture goes with --scratch/);
    await expect(command.run(['--frames', framesDir, '--scratch', '--architecture', 'vgg'])).rejects.toThrow(/resnet18 or mobilenetv2/);
    await expect(command.run(['--frames', join(folder, 'nowhere')])).rejects.toBeInstanceOf(UsageError);
  });

  it.skipIf(!search.found || !hasFfmpeg)(
    `fine-tunes the shipped FC by default and exports its network${search.found ? '' : ` (skipped: ${search.message})`}`,
    async () => {
      execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=10', '-frames:v', '4', join(framesDir, '%05d.png')]);
      const out = join(folder, 'fc.onnx');
      const code = await command.run(['--frames', framesDir, '--steps', '2', '--batch-size', '2', '--image-size', '32', '--device', 'cpu', '--out', out]);
      expect(code).toBe(0);
      const result = JSON.parse(printed.at(-1)!) as { steps: number; out: string };
      expect(result).toMatchObject({ steps: 2, out });
      const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '../../../resources/models/fc-default.onnx.json'), 'utf8')) as { architectureId?: string; output: { channels: number } };
      const exported = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { architectureId: string; output: { channels: number } };
      expect(exported.architectureId).toBe(shipped.architectureId ?? 'resnet18');
      expect(exported.output.channels).toBe(shipped.output.channels);
    },
    120_000,
  );
});
