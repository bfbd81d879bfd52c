import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type CliCommand, numberFlag, parseArgs, printResult, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import type { TrainingConfig } from '../../core/training/trainingProtocol.ts';
import { generatedModelsDirectory } from '../../core/models/embeddedModel.ts';
import { trunkWeightFiles } from '../../core/models/mobileNetWeights.ts';
import { FC_FINE_TUNE_LEARNING_RATE, shippedFcInitialWeights } from '../../core/models/shippedModels.ts';
import { appRoot, type BenchRecord, benchRecord, saveRecord } from '../benchmarkRecords.ts';
import { type HeadlessTrainingResult, trainHeadless } from '../trainHeadless.ts';

const usage = `Usage:
  correspond train --frames DIR [--steps N] [--out model.onnx] [--batch-size B] [--image-size S]
                   [--checkpoint-dir D] [--checkpoint-every N] [--device auto|cpu|cuda] [--seed N]
                   [--init-from FILE | --imagenet | --scratch [--architecture resnet18|mobilenetv2]] [--learning-rate R]
                   [--threads N] [--record LABEL [--note TEXT]]

Trains the fine-grained (FC) stream by dense BYOL on still frames (SPEC §7) with the Python worker in
resources/trainer, headless, and exports it as ONNX at stride 8 with free height/width (ResNet-18: 256
channels; MobileNetV2: 96).
  --frames          folder of PNG/JPEG frames (all of them are sampled, no labels needed)
  --steps           total optimisation steps (default 1000); a resumed run continues up to this count
  --out             ONNX to write (default fc.onnx); its description goes to <out>.json
  --batch-size      frames per step (default: CPU 8, CUDA 32)
  --image-size      side of the square crops in pixels, a multiple of 8 (default: CPU 128 for ResNet-18,
                    192 for MobileNetV2; CUDA 256)
  --checkpoint-dir  where checkpoint-latest.pt lives (default <out>.checkpoints); an existing one is resumed
  --checkpoint-every steps between checkpoints (default 50)
  Where the network starts (ignored when resuming; the start decides the network). By default from the shipped FC
  (resources/models/fc-default.pt), as the app's Training panel does, so the result fine-tunes it on your frames:
  --init-from       a checkpoint, an FC weights file or a torchvision ResNet-18 state dict
  --imagenet        a MobileNetV2 FC from the ImageNet trunk (resources/models/generated/mobilenetv2-trunk.json)
  --scratch         random weights, SFC's setting: --architecture resnet18 (default) or mobilenetv2
  --learning-rate   Adam's learning rate (default 1e-4 from the shipped FC, else 1e-3 as SPEC §7)
  --threads         PyTorch threads (default: every core)
  --record          record the run's cost under LABEL in benchmarks/training.json and re-render BENCHMARKS.md
                    (what shipped models are measured by); --note adds a remark to the record
Python: CORRESPOND_PYTHON, else /usr/bin/python3, python3 or python, whichever can import torch.
Progress goes to stderr; Ctrl-C cancels after the current step (keeping a checkpoint).
Last line: {"steps","seconds","imagesPerSecond","out","device"}.`;

function readConfig(argv: string[]): { config: TrainingConfig; out: string; record?: { label: string; note?: string } } {
  const args = parseArgs(argv, ['imagenet', 'scratch']);
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
  const starts = [stringFlag(args, 'init-from') !== undefined, args.flags.has('imagenet'), args.flags.has('scratch')].filter(Boolean).length;
  if (starts > 1) throw new UsageError('give one of --init-from, --imagenet and --scratch');
  const architecture = stringFlag(args, 'architecture');
  if (architecture !== undefined && architecture !== 'resnet18' && architecture !== 'mobilenetv2') {
    throw new UsageError(`--architecture must be resnet18 or mobilenetv2, got "${architecture}"`);
  }
  if (architecture !== undefined && !args.flags.has('scratch')) throw new UsageError('--architecture goes with --scratch (a start file decides the network)');
  const shipped = shippedFcInitialWeights(appRoot);
  const initFrom = args.flags.has('scratch')
    ? undefined
    : args.flags.has('imagenet')
      ? trunkWeightFiles(generatedModelsDirectory(appRoot)).indexFile
      : (stringFlag(args, 'init-from') ?? shipped);
  const givenRate = stringFlag(args, 'learning-rate') === undefined ? undefined : numberFlag(args, 'learning-rate', 0);
  if (givenRate !== undefined && !(givenRate > 0)) throw new UsageError('--learning-rate must be a positive number');
  // Fine-tuning the shipped FC takes the gentler rate the app uses; other starts SPEC §7's (the worker's default).
  const learningRate = givenRate ?? (initFrom !== undefined && initFrom === shipped ? FC_FINE_TUNE_LEARNING_RATE : undefined);
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
    ...(architecture ? { architecture } : {}),
    ...(learningRate ? { learningRate } : {}),
    // torch's own default is one thread on some builds (Debian's 1.13 here): use every core unless told.
    threads: optionalInteger('threads') ?? availableParallelism(),
    progressIntervalSeconds: 1,
  };
  const label = stringFlag(args, 'record');
  const note = stringFlag(args, 'note');
  if (note !== undefined && label === undefined) throw new UsageError('--note goes with --record');
  return { config, out, ...(label ? { record: { label, ...(note ? { note } : {}) } } : {}) };
}

/** The run's cost as benchmarks/training.json keeps it (BENCHMARKS.md, "Training the shipped FC"). */
function trainingRecord(label: string, note: string | undefined, config: TrainingConfig, result: HeadlessTrainingResult): BenchRecord {
  const resumed = result.firstStep ? `resumed at step ${result.firstStep}: the wall-clock and images/s count steps ${result.firstStep + 1}–${result.step} only` : undefined;
  const start = config.initFrom ? (config.initFrom.endsWith('.json') ? 'the ImageNet MobileNetV2 trunk' : path.basename(config.initFrom)) : 'random weights';
  return benchRecord(label, {
    architecture: result.architecture,
    start,
    frames: result.frameCount,
    steps: result.step,
    images: result.step * (result.batchSize ?? 0),
    batchSize: result.batchSize,
    imageSize: result.imageSize,
    learningRate: config.learningRate ?? 1e-3,
    // The app's estimate before a run scales a CPU record by torch threads.
    ...(config.threads ? { threads: config.threads } : {}),
    seconds: result.seconds,
    imagesPerSecond: result.imagesPerSecond,
    device: result.device,
    ...(note || resumed ? { note: [note, resumed].filter(Boolean).join('; ') } : {}),
  });
}

export const command: CliCommand = {
  name: 'train',
  summary: 'Train the fine-grained stream on frames (dense BYOL, PyTorch worker) and export ONNX',
  usage,
  async run(argv) {
    const { config, out, record } = readConfig(argv);
    const result = await trainHeadless(config, (line) => process.stderr.write(`${line}\n`));
    if (result.reason !== 'completed') {
      process.stderr.write(`correspond train: ${result.problem ?? `run ${result.reason} at step ${result.step}`}\n`);
      return 1;
    }
    if (record) saveRecord(appRoot, 'training', trainingRecord(record.label, record.note, config, result));
    printResult({ steps: result.step, seconds: result.seconds, imagesPerSecond: result.imagesPerSecond, out, device: result.device });
    return 0;
  },
};
