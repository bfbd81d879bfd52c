import { TrainingError, type TrainingErrorCode } from './trainingError.ts';

/**
 * The JSON-lines protocol of the training worker (resources/trainer/worker.py): one JSON object per line, `type`
 * names the message. Commands go to the worker's stdin, events come from its stdout.
 */

/** `start` configuration; omitted sizes take the worker's defaults for the device and network (CPU: batch 8 at 128 px for ResNet-18, 192 px for MobileNetV2; CUDA: 32 at 256 px). */
export interface TrainingConfig {
  /** Folder of PNG/JPEG frames (read non-recursively, sorted by name); or give `frameFiles`. */
  framesDir?: string;
  frameFiles?: string[];
  /** Total optimisation steps of the run (a resumed run continues up to this count). */
  steps: number;
  batchSize?: number;
  /** Side of the square views in pixels; a multiple of 8. */
  imageSize?: number;
  checkpointEvery?: number;
  /** Holds `checkpoint-latest.pt`; when one exists there, `start` resumes from it. */
  checkpointDir: string;
  /** Where to write the ONNX (and `<exportPath>.json`) when the run completes. */
  exportPath?: string;
  seed?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  /**
   * Where the encoder starts (ignored when resuming): a Correspond checkpoint or FC weights file, a torchvision-style
   * ResNet-18 state dict, or the MobileNetV2 ImageNet trunk index (`mobilenetv2-trunk.json`, written at install).
   */
  initFrom?: string;
  /** `resnet18` (SFC's FC, the default from scratch) or `mobilenetv2`; a start file decides it when given. */
  architecture?: FcArchitecture;
  /** Adam's learning rate (SPEC §7: 1e-3). */
  learningRate?: number;
  horizontalFlip?: boolean;
  /** torch.set_num_threads; by default torch's own choice. */
  threads?: number;
  /** Minimum seconds between progress events (0 = every step). */
  progressIntervalSeconds?: number;
}

export type WorkerCommand =
  | { type: 'start'; config: TrainingConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' };

export type TrainingDevice = 'cpu' | 'cuda';
export type FcArchitecture = 'resnet18' | 'mobilenetv2';

/** The views per step the worker takes when `batchSize`/`imageSize` are not given (trainer.py DEVICE_DEFAULTS). */
export const WORKER_VIEW_DEFAULTS: Record<FcArchitecture, Record<TrainingDevice, { batchSize: number; imageSize: number }>> = {
  resnet18: { cpu: { batchSize: 8, imageSize: 128 }, cuda: { batchSize: 32, imageSize: 256 } },
  mobilenetv2: { cpu: { batchSize: 8, imageSize: 192 }, cuda: { batchSize: 32, imageSize: 256 } },
};

export interface ReadyEvent {
  type: 'ready';
  torchVersion: string;
  cudaAvailable: boolean;
  /** The device 'auto' picks on this machine. */
  device: TrainingDevice;
  pythonVersion: string;
}

export interface StartedEvent {
  type: 'started';
  /** First step of this run: 0, or the step of the checkpoint it resumed from. */
  step: number;
  totalSteps: number;
  device: TrainingDevice;
  architecture: FcArchitecture;
  batchSize: number;
  imageSize: number;
  frameCount: number;
  resumedFrom: string | null;
}

/** The one progress shape. */
export interface ProgressEvent {
  type: 'progress';
  /** Steps completed. */
  step: number;
  totalSteps: number;
  /** Symmetrised dense BYOL loss of this step (−4 … 4); null if not finite. */
  loss: number | null;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface PausedEvent {
  type: 'paused';
  step: number;
}

export interface ResumedEvent {
  type: 'resumed';
  step: number;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  step: number;
  path: string;
}

export interface ExportedEvent {
  type: 'exported';
  path: string;
  metadataPath: string;
  channels: number;
  stride: number;
  step: number;
}

/** The one error shape: from the worker, or made by TrainingWorker when the process fails (fatal). */
export interface ErrorEvent {
  type: 'error';
  code: TrainingErrorCode;
  message: string;
  /** Fatal errors end the run (a `finished` event follows). */
  fatal: boolean;
}

export type FinishReason = 'completed' | 'cancelled' | 'failed' | 'crashed';

export interface FinishedEvent {
  type: 'finished';
  step: number;
  /** 'crashed' is made by TrainingWorker when the process died without sending `finished`. */
  reason: FinishReason;
}

export type WorkerEvent =
  | ReadyEvent
  | StartedEvent
  | ProgressEvent
  | PausedEvent
  | ResumedEvent
  | CheckpointEvent
  | ExportedEvent
  | ErrorEvent
  | FinishedEvent;

export type WorkerEventType = WorkerEvent['type'];

type FieldKind = 'number' | 'string' | 'boolean' | 'number|null' | 'string|null';

/** Required fields per event type: a line that lacks one is a protocol violation. */
const eventFields: Record<WorkerEventType, Record<string, FieldKind>> = {
  ready: { torchVersion: 'string', cudaAvailable: 'boolean', device: 'string', pythonVersion: 'string' },
  started: { step: 'number', totalSteps: 'number', device: 'string', architecture: 'string', batchSize: 'number', imageSize: 'number', frameCount: 'number', resumedFrom: 'string|null' },
  progress: { step: 'number', totalSteps: 'number', loss: 'number|null', imagesPerSecond: 'number', etaSeconds: 'number' },
  paused: { step: 'number' },
  resumed: { step: 'number' },
  checkpoint: { step: 'number', path: 'string' },
  exported: { path: 'string', metadataPath: 'string', channels: 'number', stride: 'number', step: 'number' },
  error: { code: 'string', message: 'string', fatal: 'boolean' },
  finished: { step: 'number', reason: 'string' },
};

const finishReasons: readonly string[] = ['completed', 'cancelled', 'failed', 'crashed'];

function matchesKind(value: unknown, kind: FieldKind): boolean {
  if (value === null) return kind.endsWith('|null');
  return typeof value === kind.replace('|null', '');
}

/** Parses one stdout line of the worker; throws TrainingError('MALFORMED_MESSAGE') naming what is wrong. */
export function parseWorkerEvent(line: string): WorkerEvent {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    throw new TrainingError('MALFORMED_MESSAGE', `worker wrote a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new TrainingError('MALFORMED_MESSAGE', `worker message is not a JSON object: ${line.slice(0, 200)}`);
  }
  const record = message as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(eventFields, type)) {
    throw new TrainingError('MALFORMED_MESSAGE', `worker message has unknown type ${JSON.stringify(type)}`);
  }
  for (const [field, kind] of Object.entries(eventFields[type as WorkerEventType])) {
    if (!matchesKind(record[field], kind)) {
      throw new TrainingError('MALFORMED_MESSAGE', `worker '${type}' message needs ${field}: ${kind}, got ${JSON.stringify(record[field])}`);
    }
  }
  if (type === 'finished' && !finishReasons.includes(record.reason as string)) {
    throw new TrainingError('MALFORMED_MESSAGE', `worker 'finished' message has unknown reason ${JSON.stringify(record.reason)}`);
  }
  return record as unknown as WorkerEvent;
}

/** One stdin line for the worker. */
export function encodeCommand(command: WorkerCommand): string {
  return `${JSON.stringify(command)}\n`;
}
