import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPython } from './findPython.ts';
import { OnnxSessionPool } from '../models/onnxRuntime.ts';
import { OnnxFeatureStream } from '../models/onnxFeatureStream.ts';
import { checkOnnxParity, compareOutputs, dumpReferenceFeatures } from './onnxParity.ts';
import type { TrainingConfig, WorkerEvent } from './trainingProtocol.ts';
import { defaultTrainerDir, TrainingWorker } from './trainingWorker.ts';
import { generatedModelsDirectory } from '../models/embeddedModel.ts';
import { ensureTrunkWeights } from '../models/mobileNetWeights.ts';

// End-to-end runs of resources/trainer/worker.py. Tiny images and batch 2 keep a step well under a second.
const search = await findPython();
const python = search.found ? search.python : undefined;
const hasFfmpeg = existsSync('/usr/bin/ffmpeg') || existsSync('/usr/local/bin/ffmpeg');
const appRoot = path.resolve(import.meta.dirname, '../../..');
const skipReason = !python ? `skipped: ${search.found ? '' : search.message}` : !hasFfmpeg ? 'skipped: ffmpeg not found' : '';

function startWorker(config: TrainingConfig): { worker: TrainingWorker; events: WorkerEvent[] } {
  const worker = new TrainingWorker({ pythonExecutable: python!.executable });
  const events: WorkerEvent[] = [];
  worker.onEvent((event) => events.push(event));
  worker.start(config);
  return { worker, events };
}

/** Whether a process still runs (a zombie waiting for its reaper has exited). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const progressSteps = (events: WorkerEvent[]): number[] => events.flatMap((event) => (event.type === 'progress' ? [event.step] : []));

describe.skipIf(skipReason !== '')(`training worker with PyTorch ${skipReason}`, () => {
  let workDir = '';
  let framesDir = '';
  const tiny = (name: string, extra: Partial<TrainingConfig>): TrainingConfig => ({
    framesDir,
    steps: 3,
    batchSize: 2,
    imageSize: 32,
    checkpointEvery: 2,
    checkpointDir: path.join(workDir, name, 'checkpoints'),
    seed: 3,
    device: 'cpu',
    ...extra,
  });

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'correspond-training-'));
    framesDir = path.join(workDir, 'frames');
    mkdirSync(framesDir);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=10', '-frames:v', '8', path.join(framesDir, '%05d.png')]);
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /**
   * Trains 3 steps, checks the exported ONNX against PyTorch on the same input (1e-4), then opens it the way
   * propagation opens a model file: for an RGB frame it must give what the trained encoder gives for that frame
   * prepared as training prepares its views (ImageNet mean/std for ResNet-18, RGB/255 for MobileNetV2).
   */
  async function trainExportAndCompare(name: string, extra: Partial<TrainingConfig>, channels: number): Promise<void> {
    const exportPath = path.join(workDir, name, 'fc.onnx');
    const { worker, events } = startWorker(tiny(name, { imageSize: 64, exportPath, ...extra }));
    const finished = await worker.finished;
    expect(finished).toEqual({ type: 'finished', step: 3, reason: 'completed' });
    expect(events[0]).toMatchObject({ type: 'ready', torchVersion: python!.torchVersion });
    expect(events[1]).toMatchObject({ type: 'started', step: 0, totalSteps: 3, frameCount: 8, resumedFrom: null });
    expect(progressSteps(events)).toEqual([1, 2, 3]);
    const exported = events.find((event) => event.type === 'exported');
    expect(exported).toMatchObject({ path: exportPath, channels, stride: 8, step: 3 });
    const checkpoint = events.findLast((event) => event.type === 'checkpoint');
    expect(checkpoint).toMatchObject({ step: 3 });
    const checkpointPath = checkpoint!.type === 'checkpoint' ? checkpoint!.path : '';
    const report = await checkOnnxParity({ pythonExecutable: python!.executable, checkpointPath, onnxPath: exportPath, height: 45, width: 67 });
    expect(report.outputShape).toEqual([1, channels, 6, 9]);
    expect(report.maxAbsReference).toBeGreaterThan(0);
    expect(report.relativeDifference).toBeLessThan(1e-4);

    const frame = { width: 67, height: 45, data: Uint8Array.from({ length: 67 * 45 * 3 }, (_, i) => (i * 97 + (i >> 5) * 31) % 256) };
    const pool = new OnnxSessionPool({ threads: 1 });
    try {
      const stream = await OnnxFeatureStream.load(pool, exportPath, { id: 'parity' });
      const features = await stream.extract(frame);
      const reference = await dumpReferenceFeatures({ pythonExecutable: python!.executable, checkpointPath }, { pixels: frame.data }, 45, 67);
      expect([features.channels, features.height, features.width]).toEqual(reference.shape.slice(1));
      const { maxAbsDifference, maxAbsReference } = compareOutputs(features.data, reference.data as Float32Array);
      expect(maxAbsDifference / maxAbsReference).toBeLessThan(1e-4);
    } finally {
      await pool.release();
    }
  }

  it('trains a ResNet-18 FC 3 steps, exports a 256-channel stride-8 ONNX that matches PyTorch to 1e-4', async () => {
    await trainExportAndCompare('parity', {}, 256);
  });

  it('trains a MobileNetV2 FC from the ImageNet trunk 3 steps, exports a 96-channel stride-8 ONNX that matches PyTorch to 1e-4', async () => {
    const { indexFile } = ensureTrunkWeights(generatedModelsDirectory(appRoot));
    await trainExportAndCompare('parity-mobilenet', { initFrom: indexFile }, 96);
  });

  it('reports a SIGKILL mid-run as an error and a new worker resumes from the last checkpoint', async () => {
    const config = tiny('resume', { steps: 40 });
    const first = startWorker(config);
    await first.worker.waitFor('checkpoint', { timeoutMs: 60_000 });
    await first.worker.waitFor('progress', { timeoutMs: 60_000, predicate: (event) => event.step % 2 === 1 });
    first.worker.kill('SIGKILL');
    const crashed = await first.worker.finished;
    expect(crashed.reason).toBe('crashed');
    const error = first.events.find((event) => event.type === 'error');
    expect(error).toMatchObject({ code: 'WORKER_CRASHED', fatal: true, message: expect.stringContaining('SIGKILL') });
    const lastCheckpoint = first.events.findLast((event) => event.type === 'checkpoint');
    const savedStep = lastCheckpoint!.type === 'checkpoint' ? lastCheckpoint!.step : -1;
    expect(savedStep).toBeGreaterThanOrEqual(2);

    const second = startWorker({ ...config, steps: savedStep + 2 });
    expect(await second.worker.finished).toMatchObject({ reason: 'completed', step: savedStep + 2 });
    expect(second.events[1]).toMatchObject({ type: 'started', step: savedStep, resumedFrom: path.join(config.checkpointDir, 'checkpoint-latest.pt') });
    expect(progressSteps(second.events)).toEqual([savedStep + 1, savedStep + 2]);
  });

  it.skipIf(process.platform !== 'linux')('exits within 2 s when the app that started it is killed in the middle of a long step', async () => {
    // A stand-in for the app: a Node process that spawns the worker as TrainingWorker does (stdin and stdout pipes),
    // sends `start` and relays its events. One step of a ResNet-18 on 16 views of 256² on one thread takes many
    // seconds, so a worker that only stopped between steps would outlive its app by that long.
    const parentScript = [
      "const { spawn } = require('node:child_process');",
      "const [python, trainerDir, start] = process.argv.slice(1);",
      "const child = spawn(python, ['-u', 'worker.py'], { cwd: trainerDir, stdio: ['pipe', 'pipe', 'ignore'] });",
      'console.log(JSON.stringify({ type: "workerPid", pid: child.pid }));',
      'child.stdout.pipe(process.stdout);',
      "child.stdin.write(start + '\\n');",
    ].join('\n');
    const config = tiny('orphan', { steps: 100, batchSize: 16, imageSize: 256, threads: 1, checkpointEvery: 50 });
    const app = spawn(process.execPath, ['-e', parentScript, python!.executable, defaultTrainerDir, JSON.stringify({ type: 'start', config })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let workerPid = 0;
    const started = new Promise<void>((resolve, reject) => {
      createInterface({ input: app.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { type: string; pid?: number };
        if (message.type === 'workerPid') workerPid = message.pid!;
        if (message.type === 'started') resolve();
        if (message.type === 'finished' || message.type === 'progress') reject(new Error(`the step ended before the app was killed: ${line}`));
      });
      app.on('exit', () => reject(new Error('the stand-in app exited by itself')));
    });
    await started;
    await new Promise((resolve) => setTimeout(resolve, 300)); // inside the first step
    expect(isRunning(workerPid)).toBe(true);
    const killedAt = Date.now();
    app.kill('SIGKILL');
    while (isRunning(workerPid) && Date.now() - killedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
    const lingeredMs = Date.now() - killedAt;
    if (isRunning(workerPid)) process.kill(workerPid, 'SIGKILL'); // never leave it behind, even when failing
    expect(lingeredMs).toBeLessThan(2000);
  });

  it('stops progress while paused, continues on resume and finishes as cancelled on cancel', async () => {
    const { worker, events } = startWorker(tiny('pause', { steps: 200, checkpointEvery: 100 }));
    await worker.waitFor('progress', { timeoutMs: 60_000 });
    worker.pause();
    const paused = await worker.waitFor('paused', { timeoutMs: 30_000 });
    const countAtPause = progressSteps(events).length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(progressSteps(events).length).toBe(countAtPause);
    expect(progressSteps(events).at(-1)).toBe(paused.step);
    worker.resume();
    await worker.waitFor('resumed', { timeoutMs: 10_000 });
    const next = await worker.waitFor('progress', { timeoutMs: 30_000 });
    expect(next.step).toBe(paused.step + 1);
    worker.cancel();
    const finished = await worker.finished;
    expect(finished.reason).toBe('cancelled');
    expect(finished.step).toBeLessThan(200);
    // Cancelling keeps the work: the last checkpoint is at the step the run stopped.
    expect(events.findLast((event) => event.type === 'checkpoint')).toMatchObject({ step: finished.step });
  });
});
