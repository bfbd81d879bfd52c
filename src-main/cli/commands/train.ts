import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { type CliCommand, numberFlag, parseArgs, printResult, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import { findPython } from '../../core/training/findPython.ts';
import type { TrainingConfig, WorkerEvent } from '../../core/training/trainingProtocol.ts';
import { TrainingWorker } from '../../core/training/trainingWorker.ts';

const usage = `Usage:
  correspond train --frames DIR [--steps N] [--out model.onnx] [--batch-size B] [--image-size S]
                   [--checkpoint-dir D] [--checkpoint-every N] [--device auto|cpu|cuda] [--seed N]
                   [--init-from FILE] [--threads N]

Trains the fine-grained (FC) stream by dense BYOL on still frames (SPEC §7) with the Python worker in
resources/trainer, headless, and exports it as ONNX (256 channels at stride 8, free height/width).
  --frames          folder of PNG/JPEG frames (all of them are sampled, no labels needed)
  --steps           total optimisation steps (default 1000); a resumed run continues up to this count
  --out             ONNX to write (default fc.onnx); its description goes to <out>.json
  --batch-size      frames per step (default: CPU 8, CUDA 32)
  --image-size      side of the square crops in pixels, a multiple of 8 (default: CPU 128, CUDA 256)
  --checkpoint-dir  where checkpoint-latest.pt lives (default <out>.checkpoints); an existing one is resumed
  --checkpoint-every steps between checkpoints (default 50)
  --init-from       start from a checkpoint or a torchvision ResNet-18 state dict (ignored when resuming)
Python: CORRESPOND_PYTHON, else /usr/bin/python3, python3 or python, whichever can import torch.
Progress goes to stderr; Ctrl-C cancels after the current step (keeping a checkpoint).
Last line: {"steps","seconds","imagesPerSecond","out","device"}.`;

function readConfig(argv: string[]): { config: TrainingConfig; out: string } {
  const args = parseArgs(argv);
  const framesDir = path.resolve(requiredFlag(args, 'frames'));
  if (!existsSync(framesDir) || !statSync(framesDir).isDirectory()) throw new UsageError(`--frames ${framesDir} is not a folder`);
  const out = path.resolve(stringFlag(args, 'out', 'fc.onnx')!);
  const device = stringFlag(args, 'device', 'auto')!;
  if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') throw new UsageError(`--device must be auto, cpu or cuda, got "${device}"`);
  const optionalInteger = (key: string): number | undefined => {
    if (stringFlag(args, key) === undefined) return undefined;
    const value = numberFlag(args, key, 0);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${key} must be a positive integer`);
    return value;
  };
  const initFrom = stringFlag(args, 'init-from');
  const config: TrainingConfig = {
    framesDir,
    steps: optionalInteger('steps') ?? 1000,
    batchSize: optionalInteger('batch-size'),
    imageSize: optionalInteger('image-size'),
    checkpointEvery: optionalInteger('checkpoint-every') ?? 50,
    checkpointDir: path.resolve(stringFlag(args, 'checkpoint-dir', `${out}.checkpoints`)!),
    exportPath: out,
    seed: numberFlag(args, 'seed', 0),
    device,
    initFrom: initFrom ? path.resolve(initFrom) : undefined,
    threads: optionalInteger('threads'),
    progressIntervalSeconds: 1,
  };
  return { config, out };
}

function describeEvent(event: WorkerEvent): string | undefined {
  switch (event.type) {
    case 'ready':
      return `torch ${event.torchVersion}, CUDA ${event.cudaAvailable ? 'available' : 'not available'}`;
    case 'started':
      return `${event.resumedFrom ? `resuming from ${event.resumedFrom} at` : 'starting at'} step ${event.step}/${event.totalSteps} on ${event.device}: ${event.frameCount} frames, batch ${event.batchSize}, ${event.imageSize}×${event.imageSize}`;
    case 'progress':
      return `step ${event.step}/${event.totalSteps}  loss ${event.loss?.toFixed(4) ?? 'n/a'}  ${event.imagesPerSecond.toFixed(2)} img/s  ETA ${Math.round(event.etaSeconds)} s`;
    case 'checkpoint':
      return `checkpoint at step ${event.step}: ${event.path}`;
    case 'exported':
      return `exported ${event.path} (${event.channels} channels, stride ${event.stride})`;
    case 'error':
      return `error ${event.code}: ${event.message}`;
    default:
      return undefined;
  }
}

export const command: CliCommand = {
  name: 'train',
  summary: 'Train the fine-grained stream on frames (dense BYOL, PyTorch worker) and export ONNX',
  usage,
  async run(argv) {
    const { config, out } = readConfig(argv);
    const search = await findPython();
    if (!search.found) {
      process.stderr.write(`correspond train: ${search.message}\n`);
      return 1;
    }
    process.stderr.write(`python: ${search.python.executable} (Python ${search.python.pythonVersion})\n`);
    const worker = new TrainingWorker({ pythonExecutable: search.python.executable });
    let device = '';
    let firstStep = 0;
    let batchSize = 0;
    worker.onEvent((event) => {
      if (event.type === 'started') ({ device, step: firstStep, batchSize } = event);
      const line = describeEvent(event);
      if (line) process.stderr.write(`${line}\n`);
    });
    let interrupts = 0;
    const onInterrupt = (): void => {
      interrupts += 1;
      process.stderr.write(interrupts === 1 ? 'cancelling after the current step (Ctrl-C again to kill)\n' : 'killing the worker\n');
      if (interrupts === 1) worker.cancel();
      else worker.kill();
    };
    process.on('SIGINT', onInterrupt);
    const started = performance.now();
    try {
      worker.start(config);
      const finished = await worker.finished;
      const seconds = (performance.now() - started) / 1000;
      if (finished.reason !== 'completed') {
        process.stderr.write(`correspond train: run ${finished.reason} at step ${finished.step}\n`);
        return 1;
      }
      const trainedSteps = finished.step - firstStep;
      printResult({ steps: finished.step, seconds: Number(seconds.toFixed(1)), imagesPerSecond: Number(((trainedSteps * batchSize) / seconds).toFixed(3)), out, device });
      return 0;
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  },
};
