/**
 * One training run of the PyTorch worker without the app: what `train` runs and what `bench finetune` runs.
 * Progress lines go to `log`; Ctrl-C cancels after the current step (keeping a checkpoint), twice kills the worker.
 */
import { findPython } from '../core/training/findPython.ts';
import type { TrainingConfig, WorkerEvent } from '../core/training/trainingProtocol.ts';
import { TrainingWorker } from '../core/training/trainingWorker.ts';

export interface HeadlessTrainingResult {
  reason: 'completed' | 'cancelled' | 'failed' | 'crashed' | 'unavailable';
  /** The step the run ended at. */
  step: number;
  seconds: number;
  /** Over the steps this run trained (a resumed run does not count the steps before its checkpoint). */
  imagesPerSecond: number;
  device: string;
  /** What the worker trained with (its defaults fill what the config left out); absent when it never started. */
  architecture?: string;
  batchSize?: number;
  imageSize?: number;
  frameCount?: number;
  /** The step this run resumed from (0 for a fresh start); `seconds` counts only the steps after it. */
  firstStep?: number;
  problem?: string;
}

function describeEvent(event: WorkerEvent): string | undefined {
  switch (event.type) {
    case 'ready':
      return `torch ${event.torchVersion}, CUDA ${event.cudaAvailable ? 'available' : 'not available'}`;
    case 'started':
      return `${event.resumedFrom ? `resuming from ${event.resumedFrom} at` : 'starting at'} step ${event.step}/${event.totalSteps} on ${event.device}: ${event.architecture}, ${event.frameCount} frames, batch ${event.batchSize}, ${event.imageSize}×${event.imageSize}`;
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

export async function trainHeadless(config: TrainingConfig, log: (line: string) => void): Promise<HeadlessTrainingResult> {
  const search = await findPython();
  if (!search.found) return { reason: 'unavailable', step: 0, seconds: 0, imagesPerSecond: 0, device: '', problem: search.message };
  log(`python: ${search.python.executable} (Python ${search.python.pythonVersion})`);
  const worker = new TrainingWorker({ pythonExecutable: search.python.executable });
  let device = '';
  let firstStep = 0;
  let batchSize = 0;
  let run: Pick<HeadlessTrainingResult, 'architecture' | 'batchSize' | 'imageSize' | 'frameCount' | 'firstStep'> = {};
  let problem: string | undefined;
  worker.onEvent((event) => {
    if (event.type === 'started') {
      ({ device, step: firstStep, batchSize } = event);
      run = { architecture: event.architecture, batchSize: event.batchSize, imageSize: event.imageSize, frameCount: event.frameCount, firstStep: event.step };
    }
    if (event.type === 'error' && event.fatal) problem = event.message;
    const line = describeEvent(event);
    if (line) log(line);
  });
  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts += 1;
    log(interrupts === 1 ? 'cancelling after the current step (Ctrl-C again to kill)' : 'killing the worker');
    if (interrupts === 1) worker.cancel();
    else worker.kill();
  };
  process.on('SIGINT', onInterrupt);
  const started = performance.now();
  try {
    worker.start(config);
    const finished = await worker.finished;
    const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
    const trainedSteps = finished.step - firstStep;
    return {
      reason: finished.reason,
      step: finished.step,
      seconds,
      imagesPerSecond: seconds > 0 ? Number(((trainedSteps * batchSize) / seconds).toFixed(3)) : 0,
      device,
      ...run,
      ...(problem ? { problem } : {}),
    };
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
