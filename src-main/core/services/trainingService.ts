/**
 * FC fine-tuning per project, in the background: frames of the chosen clips are written to the project's cache
 * folder, a TrainingWorker (Python + torch child process) trains on them, and its ONNX export is registered as the
 * project's fine-grained model, which propagation picks up by name. A worker crash is reported in the status and
 * never reaches the project file; starting again resumes from the last checkpoint.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../api/apiError.ts';
import type { HeldOutEvaluation, TrainingService, TrainingStatus } from '../api/contract.ts';
import { encodeRgbPng } from '../formats/png.ts';
import { importModel } from '../models/checkpoints/importModel.ts';
import { ModelRegistry } from '../models/checkpoints/modelRegistry.ts';
import type { OnnxSessionPool } from '../models/onnxRuntime.ts';
import { DEFAULT_PROPAGATION_STREAM, FC_FINE_TUNE_LEARNING_RATE, fcNetworkName, SFC_FUSION_LAMBDA } from '../models/shippedModels.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { TrainingRunPatch, TrainingRunRecord } from '../store/trainingRuns.ts';
import type { ClipRecord } from '../store/types.ts';
import { findPython, type PythonSearchResult } from '../training/findPython.ts';
import { type FcArchitecture, type TrainingConfig, type WorkerEvent, WORKER_VIEW_DEFAULTS } from '../training/trainingProtocol.ts';
import { estimateTraining, readBenchmarkSpeeds, readMeasuredSpeeds, recordMeasuredSpeed, thisMachine, type RunShape } from '../training/trainingSpeed.ts';
import { TrainingWorker } from '../training/trainingWorker.ts';
import { FrameSource, sourceInfoOf } from '../video/index.ts';
import { planHeldOutEvaluation, previewHeldOut, scoreHeldOut } from './heldOutEvaluation.ts';

/** Frames written for one run at most (spread evenly over the clips' frames). */
const MAX_TRAINING_FRAMES = 400;

export interface TrainingServiceOptions {
  library: ProjectLibrary;
  pool: OnnxSessionPool;
  registryDirectory: string;
  /** Called after a new FC model is registered (propagation forgets streams that used the old one). */
  onModelExported?: (streamName: string) => void;
  /** Weights a project's first run starts from (the shipped FC); later runs resume their own checkpoint. */
  initFrom?: string;
  /** Masks of an object propagated from one keyframe with a stream (the propagation service's), for held-out J&F. */
  predictMasks?: (
    args: { projectId: string; clipId: string; objectId: string; inputFrame: number; frames: number[]; stream: string },
    signal?: AbortSignal,
  ) => Promise<Map<number, Uint8Array>>;
  /** Overrides of the worker configuration (tests use tiny steps). */
  config?: Partial<TrainingConfig>;
  findPython?: () => Promise<PythonSearchResult>;
  /** The network a project's first run trains (that of `initFrom`; ResNet-18 from scratch). */
  architecture?: FcArchitecture;
  /** Where this computer's measured training speeds are kept (for the estimate before a run). */
  speedFile?: string;
  /** The repository's recorded training runs (benchmarks/training.json), the estimate's fallback. */
  benchmarkFile?: string;
}

/** Steps after which a run's own images/s is trusted enough to keep for the next estimate (warm-up excluded). */
const STEPS_BEFORE_SPEED_RECORD = 3;

interface Run {
  worker?: TrainingWorker;
  clipIds: string[];
  /** The run's row in the project's training_run table. */
  recordId?: number;
  /** Network and views, once the worker said (for keeping its measured speed). */
  shape?: RunShape;
  /** The step the worker started (or resumed) at: the speed kept counts the steps after it. */
  firstStep?: number;
  /** Aborts a held-out evaluation still running when the run is replaced or cancelled. */
  evaluation?: AbortController;
  status: TrainingStatus;
}

/** A copy the caller may keep: the run goes on changing its own status. */
function snapshot(status: TrainingStatus): TrainingStatus {
  return {
    ...status,
    losses: [...status.losses],
    ...(status.clipIds ? { clipIds: [...status.clipIds] } : {}),
    ...(status.evaluation ? { evaluation: { ...status.evaluation } } : {}),
  };
}

/** Name of a project's FC model in the registry. */
export function fcModelName(projectId: string): string {
  return `fc-${projectId.slice(0, 8)}`;
}

export class ProjectTrainingService implements TrainingService {
  private readonly runs = new Map<string, Run>();
  private python: Promise<PythonSearchResult> | undefined;
  private pythonFound: PythonSearchResult | undefined;

  constructor(private readonly options: TrainingServiceOptions) {}

  /** Starts the search for a Python with torch once (it imports torch: seconds); `pythonFound` holds its answer. */
  private pythonOf(): Promise<PythonSearchResult> {
    this.python ??= (this.options.findPython ?? findPython)().then((result) => (this.pythonFound = result));
    return this.python;
  }

  private registeredModel(projectId: string): string | undefined {
    try {
      return new ModelRegistry(this.options.registryDirectory).find(fcModelName(projectId))?.name;
    } catch {
      return undefined;
    }
  }

  /**
   * Answers at once: the search for Python runs in the background (the first answer says `checking`), and a project
   * without a run in this process shows its last recorded run; one recorded as running was interrupted.
   */
  async status(args: { projectId: string }): Promise<TrainingStatus> {
    const store = this.options.library.open(args.projectId); // NOT_FOUND for unknown projects
    const run = this.runs.get(args.projectId);
    if (run) return this.withHeldOut(store, snapshot(run.status));
    void this.pythonOf();
    const python = this.pythonFound;
    const model = this.registeredModel(args.projectId);
    if (python && !python.found) return { ...emptyStatus('unavailable', python.message), problem: python.message, ...(model ? { model } : {}) };
    const estimate = python ? this.estimate(python) : undefined;
    return this.withHeldOut(store, {
      ...recordedStatus(store.trainingRuns.latest(), model),
      ...(python ? {} : { checking: true }),
      ...(estimate ? { estimate } : {}),
    });
  }

  /** Adds the object the held-out J&F will score, while the run has no evaluation yet. */
  private withHeldOut(store: ProjectStore, status: TrainingStatus): TrainingStatus {
    if (status.evaluation || status.state === 'unavailable') return status;
    try {
      const heldOut = previewHeldOut(store, status.clipIds ?? store.listClips().map((clip) => clip.id));
      return heldOut ? { ...status, heldOut } : status;
    } catch {
      return status; // a damaged keyframe only costs the preview; the evaluation reports it
    }
  }

  /** Seconds per step of the project's next run on this computer (see trainingSpeed.ts). */
  private estimate(python: Extract<PythonSearchResult, { found: true }>): TrainingStatus['estimate'] {
    const architecture = this.options.architecture ?? 'resnet18';
    const device = this.options.config?.device && this.options.config.device !== 'auto' ? this.options.config.device : python.python.cudaAvailable ? 'cuda' : 'cpu';
    const defaults = WORKER_VIEW_DEFAULTS[architecture][device];
    const shape: RunShape = {
      architecture, device,
      batchSize: this.options.config?.batchSize ?? defaults.batchSize,
      imageSize: this.options.config?.imageSize ?? defaults.imageSize,
      threads: this.threads(),
    };
    const measured = this.options.speedFile ? readMeasuredSpeeds(this.options.speedFile) : [];
    const benchmarks = this.options.benchmarkFile ? readBenchmarkSpeeds(this.options.benchmarkFile) : [];
    const found = estimateTraining(shape, measured, benchmarks);
    return found && { secondsPerStep: found.secondsPerStep, basis: found.basis };
  }

  /** torch threads of a run: all cores but one, which stays with the app. */
  private threads(): number {
    return this.options.config?.threads ?? Math.max(1, availableParallelism() - 1);
  }

  /** Writes a run's progress or end into the project file; a project closed or deleted meanwhile is not an error. */
  private record(projectId: string, run: Run, patch: TrainingRunPatch): void {
    if (run.recordId === undefined) return;
    try {
      this.options.library.open(projectId).trainingRuns.update(run.recordId, patch);
    } catch {
      // The run goes on; only its record is lost.
    }
  }

  /** Keeps the images/s a run measured (after its warm-up steps) for the next run's estimate. */
  private keepSpeed(run: Run, imagesPerSecond: number, stepsThisRun: number): void {
    if (!this.options.speedFile || !run.shape || stepsThisRun < STEPS_BEFORE_SPEED_RECORD || !(imagesPerSecond > 0)) return;
    try {
      recordMeasuredSpeed(this.options.speedFile, { ...run.shape, imagesPerSecond, machine: thisMachine(), measuredAt: new Date().toISOString() });
    } catch {
      // Only the next estimate is less precise.
    }
  }

  async start(args: { projectId: string; clipIds: string[]; steps?: number }): Promise<TrainingStatus> {
    const { library } = this.options;
    const store = library.open(args.projectId);
    const current = this.runs.get(args.projectId);
    if (current && ['starting', 'running', 'paused'].includes(current.status.state)) {
      throw new ApiError('BUSY', 'Training is already running for this project; pause or cancel it first.');
    }
    const python = await this.pythonOf();
    if (!python.found) throw new ApiError('TRAINING_UNAVAILABLE', python.message);
    const clips = args.clipIds.map((clipId) => {
      const clip = store.getClip(clipId);
      if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${clipId}.`);
      return clip;
    });
    if (clips.length === 0) throw new ApiError('INVALID_ARGUMENT', 'Choose at least one clip to train on.');
    const folder = join(library.cacheDir(args.projectId), 'training');
    const framesDir = join(folder, 'frames');
    const checkpointDir = join(folder, 'checkpoints');
    current?.evaluation?.abort();
    const clipIds = clips.map((clip) => clip.id);
    const totalSteps = args.steps ?? this.options.config?.steps ?? 1000;
    const estimate = this.estimate(python);
    const run: Run = {
      clipIds,
      status: { ...emptyStatus('starting', 'Preparing frames…'), totalSteps, clipIds, ...(estimate ? { estimate } : {}) },
    };
    run.recordId = store.trainingRuns.begin({ clipIds, totalSteps });
    this.runs.set(args.projectId, run);
    void this.launch(args.projectId, run, { clips, framesDir, checkpointDir, exportPath: join(folder, 'fc.onnx'), steps: run.status.totalSteps, python: python.python.executable });
    return snapshot(run.status);
  }

  private async launch(
    projectId: string,
    run: Run,
    plan: { clips: ClipRecord[]; framesDir: string; checkpointDir: string; exportPath: string; steps: number; python: string },
  ): Promise<void> {
    try {
      run.status.frameCount = await writeTrainingFrames(plan, run);
      if (run.status.state !== 'starting') return; // cancelled while preparing (recorded by control())
      const worker = new TrainingWorker({ pythonExecutable: plan.python });
      run.worker = worker;
      worker.onEvent((event) => this.applyWorkerEvent(projectId, run, event));
      worker.start({
        framesDir: plan.framesDir,
        steps: plan.steps,
        checkpointDir: plan.checkpointDir,
        checkpointEvery: 50,
        exportPath: plan.exportPath,
        threads: this.threads(),
        ...(this.options.initFrom ? { initFrom: this.options.initFrom, learningRate: FC_FINE_TUNE_LEARNING_RATE } : {}),
        progressIntervalSeconds: 0,
        ...this.options.config,
      });
    } catch (error) {
      Object.assign(run.status, { state: 'failed', message: (error as Error).message, problem: (error as Error).message });
      this.record(projectId, run, { state: 'failed', message: run.status.message });
    }
  }

  /** What a worker event changes in the run's status (the `exported` model is registered and evaluated). */
  private applyWorkerEvent(projectId: string, run: Run, event: WorkerEvent): void {
    const status = run.status;
    switch (event.type) {
      case 'ready':
        status.device = `${event.device.toUpperCase()} (torch ${event.torchVersion})`;
        break;
      case 'started':
        run.firstStep = event.step;
        run.shape = { architecture: event.architecture, device: event.device, batchSize: event.batchSize, imageSize: event.imageSize, threads: this.threads() };
        Object.assign(status, { state: status.cancelling ? status.state : 'running', step: event.step, totalSteps: event.totalSteps, frameCount: event.frameCount });
        status.network = `${fcNetworkName(event.architecture)} · ${event.batchSize} × ${event.imageSize}² views`;
        if (!status.cancelling) status.message = event.resumedFrom ? `Resumed from step ${event.step}.` : 'Training…';
        this.record(projectId, run, { step: event.step, checkpointStep: event.step });
        break;
      case 'progress':
        Object.assign(status, { step: event.step, totalSteps: event.totalSteps, imagesPerSecond: event.imagesPerSecond, etaSeconds: event.etaSeconds });
        if (event.loss !== null) status.losses.push({ step: event.step, loss: event.loss });
        if (status.state === 'starting') status.state = 'running';
        break;
      case 'paused':
        Object.assign(status, { state: 'paused', message: `Paused at step ${event.step}.` });
        break;
      case 'resumed':
        Object.assign(status, { state: 'running', message: 'Training…' });
        break;
      case 'checkpoint':
        if (!status.cancelling) status.message = `Checkpoint saved at step ${event.step}.`;
        this.record(projectId, run, { step: event.step, checkpointStep: event.step });
        this.keepSpeed(run, status.imagesPerSecond, event.step - (run.firstStep ?? 0));
        break;
      case 'exported':
        void this.register(projectId, event.path, run);
        break;
      case 'error':
        status.message = event.message;
        if (event.fatal) status.problem = event.message;
        break;
      case 'finished': {
        const state = event.reason === 'completed' ? 'finished' : event.reason === 'cancelled' ? 'cancelled' : 'failed';
        status.state = state;
        status.cancelling = undefined;
        this.keepSpeed(run, status.imagesPerSecond, event.step - (run.firstStep ?? 0));
        if (state === 'failed') status.message = `The training worker ${event.reason === 'crashed' ? 'stopped unexpectedly' : 'failed'}: ${status.problem ?? 'see the log'}. Start again to resume from the last checkpoint.`;
        else if (state === 'cancelled') status.message = `Cancelled at step ${event.step}; start again to resume.`;
        this.record(projectId, run, { state, step: event.step, message: status.message });
        break;
      }
    }
  }


  /**
   * J&F before and after on held-out user keyframes (see heldOutEvaluation.ts): "before" is the stream the run
   * started from (the semantic default fused with the shipped FC, or the default alone), "after" the same fusion
   * with the project's new FC, at SFC's weight.
   */
  private async evaluate(projectId: string, modelName: string, run: Run): Promise<void> {
    const predict = this.options.predictMasks;
    if (!predict) return;
    const plan = planHeldOutEvaluation(this.options.library.open(projectId), run.clipIds);
    if (!plan) return;
    const beforeStream = this.options.initFrom ? DEFAULT_PROPAGATION_STREAM : 'default';
    const afterStream = `default+${modelName}@${SFC_FUSION_LAMBDA}`;
    const evaluation: HeldOutEvaluation = {
      state: 'running', clipName: plan.clipName, objectName: plan.objectName, inputFrame: plan.inputFrame,
      heldOutFrames: plan.heldOutFrames, beforeStream, afterStream,
      message: `Scoring ${plan.objectName} on ${plan.heldOutFrames.length} held-out keyframe(s)…`,
    };
    run.status.evaluation = evaluation;
    const controller = new AbortController();
    run.evaluation = controller;
    try {
      const request = { projectId, clipId: plan.clipId, objectId: plan.objectId, inputFrame: plan.inputFrame, frames: plan.heldOutFrames };
      evaluation.before = scoreHeldOut(plan, await predict({ ...request, stream: beforeStream }, controller.signal));
      evaluation.after = scoreHeldOut(plan, await predict({ ...request, stream: afterStream }, controller.signal));
      evaluation.state = 'done';
      evaluation.message = `J&F on ${plan.heldOutFrames.length} held-out keyframe(s) of ${plan.objectName}, propagated from frame ${plan.inputFrame + 1}.`;
    } catch (error) {
      evaluation.state = 'failed';
      evaluation.message = controller.signal.aborted ? 'Evaluation stopped: a new run started.' : `Evaluation failed: ${(error as Error).message}`;
    } finally {
      if (run.evaluation === controller) run.evaluation = undefined;
    }
  }

  /** Registers an export as the project's FC model (replacing the previous one) and tells propagation. */
  private async register(projectId: string, exportPath: string, run: Run): Promise<void> {
    const registry = new ModelRegistry(this.options.registryDirectory);
    const name = fcModelName(projectId);
    try {
      if (registry.find(name)) registry.remove(name);
      // The worker's export is a fine-grained trunk (SFC's FC): recorded with that preset's role.
      await importModel({ file: exportPath, preset: 'sfc-fc', name, registry, pool: this.options.pool });
      run.status.model = name;
      run.status.message = `Exported and registered as ${name}.`;
      this.options.onModelExported?.(name);
    } catch (error) {
      run.status.problem = `The trained model could not be registered: ${(error as Error).message}`;
      run.status.message = run.status.problem;
      return;
    }
    await this.evaluate(projectId, name, run);
  }

  private control(projectId: string, action: 'pause' | 'resume' | 'cancel'): TrainingStatus {
    const run = this.runs.get(projectId);
    if (!run || !['starting', 'running', 'paused'].includes(run.status.state)) throw new ApiError('NOT_RUNNING', 'No training is running for this project.');
    if (action === 'cancel') run.evaluation?.abort();
    if (!run.worker) {
      if (action === 'cancel') {
        Object.assign(run.status, { state: 'cancelled', message: 'Cancelled before training started.' });
        this.record(projectId, run, { state: 'cancelled', message: run.status.message });
      }
      return snapshot(run.status);
    }
    if (action === 'cancel') {
      // Said at once: the worker stops within its current step and saves a checkpoint, which takes seconds on a CPU.
      run.status.cancelling = true;
      run.status.message = 'Cancelling: stopping the current step and saving a checkpoint…';
    }
    run.worker[action]();
    return snapshot(run.status);
  }

  async pause(args: { projectId: string }): Promise<TrainingStatus> {
    return this.control(args.projectId, 'pause');
  }

  async resume(args: { projectId: string }): Promise<TrainingStatus> {
    return this.control(args.projectId, 'resume');
  }

  async cancel(args: { projectId: string }): Promise<TrainingStatus> {
    return this.control(args.projectId, 'cancel');
  }

  /** App quit: every worker checkpoints and stops. */
  async dispose(): Promise<void> {
    await Promise.all([...this.runs.values()].map((run) => (run.worker?.isRunning ? run.worker.shutdown(30_000).catch(() => undefined) : undefined)));
  }

  /** Test hook: the worker of a project's current run. */
  workerOf(projectId: string): TrainingWorker | undefined {
    return this.runs.get(projectId)?.worker;
  }
}

function emptyStatus(state: TrainingStatus['state'], message: string): TrainingStatus {
  return { state, step: 0, totalSteps: 0, losses: [], imagesPerSecond: 0, etaSeconds: 0, frameCount: 0, message };
}

/**
 * The status of a project without a run in this process, from its last recorded run: one still recorded as running
 * never ended (the app quit or was killed), so it is interrupted and resumes from its last checkpoint.
 */
function recordedStatus(record: TrainingRunRecord | undefined, model: string | undefined): TrainingStatus {
  const withModel = model ? { model } : {};
  if (!record) return { ...emptyStatus('idle', model ? `Trained model ${model} is in use.` : 'Not trained on this project yet.'), ...withModel };
  const base = { step: record.checkpointStep, totalSteps: record.totalSteps, clipIds: record.clipIds, ...withModel };
  if (record.state === 'running') {
    const resume = record.checkpointStep > 0
      ? `resume continues from the checkpoint at step ${record.checkpointStep.toLocaleString('en')}`
      : 'no checkpoint was saved yet, so resuming starts it again';
    const message = `Interrupted at step ${record.step.toLocaleString('en')} of ${record.totalSteps.toLocaleString('en')} when the app closed; ${resume}.`;
    return { ...emptyStatus('interrupted', message), ...base };
  }
  if (record.state === 'finished') {
    return { ...emptyStatus('finished', model ? `Trained model ${model} is in use.` : 'The last run finished.'), ...base, step: record.totalSteps };
  }
  return { ...emptyStatus(record.state, record.message ?? `The last run ${record.state === 'failed' ? 'failed' : 'was cancelled'}.`), ...base, step: record.step };
}

/** Writes every n-th frame of the plan's clips (at most MAX_TRAINING_FRAMES) as PNGs for the worker; returns how many. */
async function writeTrainingFrames(plan: { clips: ClipRecord[]; framesDir: string; checkpointDir: string }, run: Run): Promise<number> {
  rmSync(plan.framesDir, { recursive: true, force: true });
  mkdirSync(plan.framesDir, { recursive: true });
  mkdirSync(plan.checkpointDir, { recursive: true });
  const total = plan.clips.reduce((sum, clip) => sum + clip.frameCount, 0);
  const every = Math.max(1, Math.ceil(total / MAX_TRAINING_FRAMES));
  let written = 0;
  for (const clip of plan.clips) {
    const source = new FrameSource(sourceInfoOf(clip));
    try {
      for (let frameIndex = 0; frameIndex < clip.frameCount; frameIndex += every) {
        const frame = await source.getFrame(frameIndex);
        writeFileSync(join(plan.framesDir, `${String(written++).padStart(6, '0')}.png`), encodeRgbPng({ width: frame.width, height: frame.height, data: frame.data }));
        run.status.message = `Preparing frames… ${written}`;
      }
    } finally {
      source.close();
    }
  }
  return written;
}
