import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TrainingError } from './trainingError.ts';
import {
  encodeCommand,
  parseWorkerEvent,
  type ErrorEvent,
  type FinishedEvent,
  type ProgressEvent,
  type TrainingConfig,
  type WorkerCommand,
  type WorkerEvent,
  type WorkerEventType,
} from './trainingProtocol.ts';

/** `<appRoot>/resources/trainer`, the folder holding worker.py. */
export const defaultTrainerDir = path.resolve(import.meta.dirname, '../../../resources/trainer');

export interface TrainingWorkerOptions {
  /** A Python 3 with torch, as found by findPython(). */
  pythonExecutable: string;
  trainerDir?: string;
  /** Script and arguments instead of `<trainerDir>/worker.py` (tests use it to play a misbehaving worker). */
  scriptArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

type EventOf<T extends WorkerEventType> = Extract<WorkerEvent, { type: T }>;

const STDERR_TAIL_LINES = 20;

/**
 * One training run in a child Python process. Events (the worker's, plus an `error` and a `finished` with reason
 * 'crashed' that this class makes when the process dies or breaks the protocol) go to `onEvent` listeners; every
 * run ends with exactly one `finished`. Nothing here throws into the caller once `start` has returned.
 */
export class TrainingWorker {
  private child: ChildProcess | undefined;
  private readonly eventListeners = new Set<(event: WorkerEvent) => void>();
  private readonly logListeners = new Set<(line: string) => void>();
  private readonly stderrTail: string[] = [];
  private finishedEvent: FinishedEvent | undefined;
  private resolveFinished!: (event: FinishedEvent) => void;
  private lastStep = 0;
  private protocolBroken = false;
  /** Resolves with the run's `finished` event (made up as 'crashed' if the process died without one). */
  readonly finished: Promise<FinishedEvent>;
  lastProgress: ProgressEvent | undefined;

  constructor(private readonly options: TrainingWorkerOptions) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.finishedEvent === undefined;
  }

  /** Spawns the worker and sends `start`. One run per worker. */
  start(config: TrainingConfig): void {
    if (this.child) throw new TrainingError('BAD_COMMAND', 'this worker was already started: create a new TrainingWorker');
    const trainerDir = this.options.trainerDir ?? defaultTrainerDir;
    const args = this.options.scriptArgs ?? ['-u', path.join(trainerDir, 'worker.py')];
    const child = spawn(this.options.pythonExecutable, args, {
      cwd: trainerDir,
      env: { ...(this.options.env ?? process.env), PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    child.on('error', (error) => this.fail('SPAWN_FAILED', `cannot start ${this.options.pythonExecutable}: ${error.message}`));
    // Writing to a dead worker raises EPIPE on stdin; the exit handler reports the death itself.
    child.stdin!.on('error', () => undefined);
    createInterface({ input: child.stdout! }).on('line', (line) => this.handleLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.handleLog(line));
    child.on('close', (code, signal) => this.handleClose(code, signal));
    this.send({ type: 'start', config });
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  /** Asks the worker to stop after the current step; it saves a checkpoint and finishes with reason 'cancelled'. */
  cancel(): void {
    this.send({ type: 'cancel' });
  }

  /** Ends the process at once (no checkpoint); reported as a crash unless it had already finished. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /**
   * For app quit: cancel (the worker checkpoints and finishes), and kill it if it has not finished within
   * `timeoutMs` (a step can take a minute on a busy CPU, so the default is generous).
   */
  async shutdown(timeoutMs = 60_000): Promise<FinishedEvent> {
    if (!this.child) throw new TrainingError('BAD_COMMAND', 'this worker was never started');
    this.cancel();
    const timer = setTimeout(() => this.kill('SIGKILL'), timeoutMs);
    try {
      return await this.finished;
    } finally {
      clearTimeout(timer);
    }
  }

  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** stderr lines of the worker (its logs and Python tracebacks). */
  onLog(listener: (line: string) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /**
   * The next event of `type` satisfying `predicate`. Rejects on timeout, or when the run finishes first (unless
   * waiting for `finished` itself).
   */
  waitFor<T extends WorkerEventType>(type: T, options: { timeoutMs?: number; predicate?: (event: EventOf<T>) => boolean } = {}): Promise<EventOf<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new TrainingError('WORKER_EXITED', `no '${type}' event within ${options.timeoutMs} ms`));
      }, options.timeoutMs ?? 120_000);
      const unsubscribe = this.onEvent((event) => {
        if (event.type === type && (options.predicate?.(event as EventOf<T>) ?? true)) {
          clearTimeout(timer);
          unsubscribe();
          resolve(event as EventOf<T>);
        } else if (event.type === 'finished') {
          clearTimeout(timer);
          unsubscribe();
          reject(new TrainingError('WORKER_EXITED', `run finished (${event.reason}) before a '${type}' event`));
        }
      });
    });
  }

  private send(command: WorkerCommand): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.finishedEvent) return;
    stdin.write(encodeCommand(command));
  }

  private dispatch(event: WorkerEvent): void {
    if (this.finishedEvent) return;
    if ('step' in event) this.lastStep = event.step;
    if (event.type === 'progress') this.lastProgress = event;
    if (event.type === 'finished') {
      this.finishedEvent = event;
      this.child?.stdin?.end();
    }
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch (error) {
        // A faulty listener must not break the stream for the others.
        this.handleLog(`[main] event listener threw: ${(error as Error).message}`);
      }
    }
    if (event.type === 'finished') this.resolveFinished(event);
  }

  private handleLine(line: string): void {
    if (this.protocolBroken || line.trim() === '') return;
    let event: WorkerEvent;
    try {
      event = parseWorkerEvent(line);
    } catch (error) {
      // A broken protocol means we can no longer trust what the worker says: stop it.
      this.protocolBroken = true;
      this.fail('MALFORMED_MESSAGE', (error as Error).message);
      this.kill('SIGKILL');
      return;
    }
    this.dispatch(event);
  }

  private handleLog(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    for (const listener of [...this.logListeners]) listener(line);
  }

  private handleClose(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.finishedEvent) return;
    const tail = this.stderrTail.slice(-5).join('\n');
    if (signal) {
      this.fail('WORKER_CRASHED', `training worker was killed by ${signal} at step ${this.lastStep}`);
    } else {
      const what = code === 0 ? 'exited without finishing' : `exited with code ${code}`;
      this.fail('WORKER_EXITED', `training worker ${what} at step ${this.lastStep}${tail ? `:\n${tail}` : ''}`);
    }
  }

  /** Reports a main-side failure as a fatal `error` followed by `finished` 'crashed' (once). */
  private fail(code: ErrorEvent['code'], message: string): void {
    if (this.finishedEvent) return;
    this.dispatch({ type: 'error', code, message, fatal: true });
    this.dispatch({ type: 'finished', step: this.lastStep, reason: 'crashed' });
  }
}
