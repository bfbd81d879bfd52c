import { describe, expect, it } from 'vitest';
import type { WorkerEvent } from './trainingProtocol.ts';
import { TrainingWorker } from './trainingWorker.ts';

/** Node plays a misbehaving worker: the class must turn each failure into an error event, never a throw. */
function fakeWorker(script: string): { worker: TrainingWorker; events: WorkerEvent[] } {
  const worker = new TrainingWorker({ pythonExecutable: process.execPath, scriptArgs: ['-e', script] });
  const events: WorkerEvent[] = [];
  worker.onEvent((event) => events.push(event));
  return { worker, events };
}

const ready = `console.log(JSON.stringify({ type: 'ready', torchVersion: '0', cudaAvailable: false, device: 'cpu', pythonVersion: '3' }));`;

describe('TrainingWorker failure reporting', () => {
  it('reports a malformed stdout line as MALFORMED_MESSAGE and ends the run as crashed', async () => {
    const { worker, events } = fakeWorker(`${ready} console.log('hello from a stray print'); setInterval(() => {}, 1000);`);
    worker.start({ steps: 1, checkpointDir: '/tmp/unused' });
    const finished = await worker.finished;
    expect(finished).toEqual({ type: 'finished', step: 0, reason: 'crashed' });
    expect(events.map((event) => event.type)).toEqual(['ready', 'error', 'finished']);
    expect(events[1]).toMatchObject({ code: 'MALFORMED_MESSAGE', fatal: true, message: expect.stringContaining('hello from a stray print') });
  });

  it('reports a non-zero exit with the last stderr lines and the last step reached', async () => {
    const { worker, events } = fakeWorker(
      `${ready} console.log(JSON.stringify({ type: 'progress', step: 4, totalSteps: 9, loss: 0.5, imagesPerSecond: 1, etaSeconds: 5 }));` +
        `console.error('RuntimeError: out of memory'); process.exit(3);`,
    );
    worker.start({ steps: 9, checkpointDir: '/tmp/unused' });
    expect(await worker.finished).toEqual({ type: 'finished', step: 4, reason: 'crashed' });
    const error = events.find((event) => event.type === 'error');
    expect(error).toMatchObject({ code: 'WORKER_EXITED', message: expect.stringMatching(/exited with code 3 at step 4:\nRuntimeError: out of memory/) });
  });

  it('reports a signal death as WORKER_CRASHED', async () => {
    const { worker, events } = fakeWorker(`${ready} setInterval(() => {}, 1000);`);
    worker.start({ steps: 1, checkpointDir: '/tmp/unused' });
    await worker.waitFor('ready', { timeoutMs: 10_000 });
    worker.kill('SIGKILL');
    await worker.finished;
    expect(events.find((event) => event.type === 'error')).toMatchObject({ code: 'WORKER_CRASHED', message: 'training worker was killed by SIGKILL at step 0' });
  });

  it('reports an executable that cannot be started as SPAWN_FAILED', async () => {
    const worker = new TrainingWorker({ pythonExecutable: '/nonexistent/python3' });
    const events: WorkerEvent[] = [];
    worker.onEvent((event) => events.push(event));
    worker.start({ steps: 1, checkpointDir: '/tmp/unused' });
    expect((await worker.finished).reason).toBe('crashed');
    expect(events[0]).toMatchObject({ type: 'error', code: 'SPAWN_FAILED' });
    expect(events.filter((event) => event.type === 'finished')).toHaveLength(1);
  });

  it('shutdown cancels a worker that answers, and kills one that does not within the timeout', async () => {
    const polite = fakeWorker(
      `${ready} require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {` +
        `if (JSON.parse(line).type === 'cancel') { console.log(JSON.stringify({ type: 'finished', step: 7, reason: 'cancelled' })); process.exit(0); } });`,
    );
    polite.worker.start({ steps: 10, checkpointDir: '/tmp/unused' });
    await polite.worker.waitFor('ready', { timeoutMs: 10_000 });
    expect(await polite.worker.shutdown(5_000)).toEqual({ type: 'finished', step: 7, reason: 'cancelled' });
    const stubborn = fakeWorker(`${ready} setInterval(() => {}, 1000);`);
    stubborn.worker.start({ steps: 10, checkpointDir: '/tmp/unused' });
    await stubborn.worker.waitFor('ready', { timeoutMs: 10_000 });
    expect((await stubborn.worker.shutdown(200)).reason).toBe('crashed');
    expect(stubborn.events.find((event) => event.type === 'error')).toMatchObject({ code: 'WORKER_CRASHED' });
  });

  it('ignores commands after the run finished instead of throwing', async () => {
    const { worker } = fakeWorker(`${ready} console.log(JSON.stringify({ type: 'finished', step: 0, reason: 'cancelled' }));`);
    worker.start({ steps: 1, checkpointDir: '/tmp/unused' });
    await worker.finished;
    expect(() => {
      worker.pause();
      worker.resume();
      worker.cancel();
    }).not.toThrow();
  });
});
