/*
 * How long a training run will take, before it starts: from the images/s this computer measured in its last run of
 * the same network and view size (kept in a small JSON file beside the model registry), else from the benchmark
 * record the repository ships (benchmarks/training.json, measured on the machine it names). Either way it is an
 * estimate, and the Training screen says on what it rests.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname } from 'node:path';
import type { FcArchitecture, TrainingDevice } from './trainingProtocol.ts';

/** One measured speed: images per second of one network at one batch and view size on one device. */
export interface SpeedSample {
  architecture: FcArchitecture;
  device: TrainingDevice;
  batchSize: number;
  imageSize: number;
  imagesPerSecond: number;
  /** torch threads of the run, when known (a CPU run's speed grows with them). */
  threads?: number;
  machine: string;
  measuredAt: string;
}

export interface TrainingEstimate {
  secondsPerStep: number;
  imagesPerSecond: number;
  /** On what it rests, in plain words: "measured on this computer in the last run" or the benchmark's machine. */
  basis: string;
}

/** What a run will train: the network, device and the views per step. */
export interface RunShape {
  architecture: FcArchitecture;
  device: TrainingDevice;
  batchSize: number;
  imageSize: number;
  /** torch threads the run will use (CPU). */
  threads?: number;
}

/** This computer as benchmark records name it ("<CPU model> · <n> cores"). */
export function thisMachine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'} · ${availableParallelism()} cores`;
}

function readJsonArray(file: string): unknown[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function isSample(value: unknown): value is SpeedSample {
  const sample = value as Partial<SpeedSample> | null;
  return (
    typeof sample === 'object' && sample !== null &&
    (sample.architecture === 'resnet18' || sample.architecture === 'mobilenetv2') &&
    (sample.device === 'cpu' || sample.device === 'cuda') &&
    [sample.batchSize, sample.imageSize, sample.imagesPerSecond].every((n) => typeof n === 'number' && Number.isFinite(n) && n > 0) &&
    typeof sample.machine === 'string'
  );
}

/** Speeds this computer measured (newest per network, device and view size). A missing or broken file is empty. */
export function readMeasuredSpeeds(file: string): SpeedSample[] {
  return readJsonArray(file).filter(isSample);
}

/** Keeps a run's measured speed (replacing the older one of the same shape), written atomically. */
export function recordMeasuredSpeed(file: string, sample: SpeedSample): void {
  const same = (other: SpeedSample) =>
    other.architecture === sample.architecture && other.device === sample.device && other.batchSize === sample.batchSize && other.imageSize === sample.imageSize;
  const kept = [...readMeasuredSpeeds(file).filter((other) => !same(other)), sample];
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(kept, null, 2)}\n`);
  renameSync(temporary, file);
}

/** The repository's recorded training runs (benchmarks/training.json) as speed samples. */
export function readBenchmarkSpeeds(file: string): SpeedSample[] {
  return readJsonArray(file)
    .map((record) => {
      const entry = record as Record<string, unknown>;
      return {
        architecture: entry.architecture, device: entry.device, batchSize: entry.batchSize, imageSize: entry.imageSize,
        imagesPerSecond: entry.imagesPerSecond, machine: entry.machine, measuredAt: entry.measuredAt,
        ...(typeof entry.threads === 'number' ? { threads: entry.threads } : {}),
      };
    })
    .filter(isSample);
}

function formatRate(imagesPerSecond: number): string {
  return `${imagesPerSecond >= 10 ? imagesPerSecond.toFixed(0) : imagesPerSecond.toFixed(1)} images/s`;
}

/**
 * Seconds per step of a run of this shape: a measurement of this computer for the same network and device (scaled
 * by pixels per view when its view size differs), else a benchmark record of that network and device, likewise
 * scaled. Undefined when nothing of that network and device was ever measured.
 */
export function estimateTraining(shape: RunShape, measured: SpeedSample[], benchmarks: SpeedSample[]): TrainingEstimate | undefined {
  const pick = (samples: SpeedSample[]) => {
    const fitting = samples.filter((sample) => sample.architecture === shape.architecture && sample.device === shape.device);
    return fitting.find((sample) => sample.imageSize === shape.imageSize) ?? fitting.at(-1);
  };
  const local = pick(measured);
  const sample = local ?? pick(benchmarks);
  if (!sample) return undefined;
  // A step's cost grows with the pixels of its views; on a CPU its speed at most in proportion to the threads.
  const threadScale = shape.device === 'cpu' && sample.threads && shape.threads && sample.threads !== shape.threads ? shape.threads / sample.threads : 1;
  const imagesPerSecond = sample.imagesPerSecond * (sample.imageSize / shape.imageSize) ** 2 * threadScale;
  const adjustments = [
    ...(sample.imageSize !== shape.imageSize ? [`${sample.imageSize}² → ${shape.imageSize}² views`] : []),
    ...(threadScale !== 1 ? [`${sample.threads} → ${shape.threads} thread${shape.threads === 1 ? '' : 's'}`] : []),
  ];
  const scaled = adjustments.length > 0 ? `, scaled for ${adjustments.join(' and ')}` : '';
  const machine = sample.machine === thisMachine() ? 'this computer' : sample.machine;
  const basis = local
    ? `measured on this computer in an earlier run (${formatRate(sample.imagesPerSecond)}${scaled})`
    : `recorded in benchmarks/training.json on ${machine} (${formatRate(sample.imagesPerSecond)}${scaled}); a computer busy with other work is slower`;
  return { secondsPerStep: shape.batchSize / imagesPerSecond, imagesPerSecond, basis };
}
