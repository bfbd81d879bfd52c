import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClipSummary, ProjectDetails, TrainingStatus } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { installStoresWith } from './storeTestHarness.ts';
import { STATUS_POLL_MS, useTrainingStore } from './training.ts';

function clip(id: string): ClipSummary {
  return { id, name: `${id}.mp4`, sourcePath: `/v/${id}.mp4`, sourceKind: 'video', width: 160, height: 120, fps: 10, frameCount: 30, importedAt: '' };
}

const project: ProjectDetails = { id: 'p1', name: 'Horses', createdAt: '', updatedAt: '', clips: [clip('c1'), clip('c2'), clip('c3')] };

function status(state: TrainingStatus['state'], extra: Partial<TrainingStatus> = {}): TrainingStatus {
  return { state, step: 0, totalSteps: 0, losses: [], imagesPerSecond: 0, etaSeconds: 0, frameCount: 0, message: '', ...extra };
}

/** Lets pending promises settle without moving the fake clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('training store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens with every clip of the project ticked and the run\'s status', async () => {
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => status('idle') } });
    const store = useTrainingStore();
    await store.open('p1');
    expect(store.project?.name).toBe('Horses');
    expect(store.selectedClipIds).toEqual(['c1', 'c2', 'c3']);
    expect(store.status?.state).toBe('idle');
    expect(store.canStart).toBe(true);
  });

  it('offers an interrupted run back with its own clips and steps, and resumes it with them', async () => {
    let sent: unknown;
    installStoresWith({
      projects: { get: async () => project },
      training: {
        status: async () => status('interrupted', { step: 150, totalSteps: 400, clipIds: ['c3', 'gone'] }),
        start: async (args) => ((sent = args), status('starting', { totalSteps: 400 })),
      },
    });
    const store = useTrainingStore();
    await store.open('p1');
    expect(store.selectedClipIds).toEqual(['c3']);
    expect(store.steps).toBe(400);
    expect(store.canStart).toBe(true);
    await store.start();
    expect(sent).toEqual({ projectId: 'p1', clipIds: ['c3'], steps: 400 });
  });

  it('estimates the chosen steps from the engine\'s seconds per step', async () => {
    installStoresWith({
      projects: { get: async () => project },
      training: { status: async () => status('idle', { estimate: { secondsPerStep: 36, basis: 'measured on this computer' } }) },
    });
    const store = useTrainingStore();
    await store.open('p1');
    expect(store.estimatedSeconds).toBe(36_000);
    store.setSteps(100);
    expect(store.estimatedSeconds).toBe(3600);
    store.setSteps(Number.NaN);
    expect(store.estimatedSeconds).toBeUndefined();
  });

  it('asks again soon while the engine is still looking for Python, then stops polling an idle project', async () => {
    const answers = [status('idle', { checking: true }), status('idle')];
    let calls = 0;
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => answers[Math.min(calls++, 1)] } });
    const store = useTrainingStore();
    await store.open('p1');
    expect(store.status?.checking).toBe(true);
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toBe(2);
    expect(store.status?.checking).toBeUndefined();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(2);
  });

  it('cannot start when training is unavailable', async () => {
    installStoresWith({
      projects: { get: async () => project },
      training: { status: async () => status('unavailable', { problem: 'No Python with torch was found.' }) },
    });
    const store = useTrainingStore();
    await store.open('p1');
    expect(store.isUnavailable).toBe(true);
    expect(store.canStart).toBe(false);
  });

  it('starts on the ticked clips in project order with the chosen steps', async () => {
    let sent: unknown;
    installStoresWith({
      projects: { get: async () => project },
      training: {
        status: async () => status('idle'),
        start: async (args) => ((sent = args), status('starting', { totalSteps: 3 })),
      },
    });
    const store = useTrainingStore();
    await store.open('p1');
    store.setClipSelected('c1', false);
    store.setClipSelected('c1', true);
    store.setClipSelected('c2', false);
    store.setSteps(3);
    await store.start();
    expect(sent).toEqual({ projectId: 'p1', clipIds: ['c1', 'c3'], steps: 3 });
    expect(store.status?.state).toBe('starting');
    expect(store.isActive).toBe(true);
  });

  it('refuses to start without clips or with a step count that is not a positive whole number', async () => {
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => status('idle') } });
    const store = useTrainingStore();
    await store.open('p1');
    store.setSteps(2.5);
    expect(store.canStart).toBe(false);
    store.setSteps(10);
    store.setAllClipsSelected(false);
    expect(store.canStart).toBe(false);
    store.setAllClipsSelected(true);
    expect(store.canStart).toBe(true);
  });

  it('polls every second while the run is active and stops once it has its model', async () => {
    const answers = [
      status('running', { step: 1, totalSteps: 3 }),
      status('running', { step: 2, totalSteps: 3, losses: [{ step: 1, loss: -1.2 }, { step: 2, loss: -1.4 }] }),
      status('finished', { step: 3, totalSteps: 3 }),
      status('finished', { step: 3, totalSteps: 3, model: 'fc-p1' }),
    ];
    let calls = 0;
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => answers[Math.min(calls++, answers.length - 1)] } });
    const store = useTrainingStore();
    await store.open('p1');
    expect(store.fraction).toBeCloseTo(1 / 3);
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    expect(store.status?.losses).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    expect(store.status?.state).toBe('finished');
    // Finished without the model yet: one more look, then quiet.
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    expect(store.status?.model).toBe('fc-p1');
    const callsWhenDone = calls;
    await vi.advanceTimersByTimeAsync(10 * STATUS_POLL_MS);
    expect(calls).toBe(callsWhenDone);
  });

  it('keeps polling a finished run while its held-out J&F is being computed', async () => {
    const evaluation = {
      clipName: 'a.mp4', objectName: 'Horse', inputFrame: 0, heldOutFrames: [10, 20], beforeStream: 'default', afterStream: 'default+fc-p1@1.75', message: '',
    };
    const answers = [
      status('finished', { step: 3, totalSteps: 3, model: 'fc-p1', evaluation: { ...evaluation, state: 'running' } }),
      status('finished', { step: 3, totalSteps: 3, model: 'fc-p1', evaluation: { ...evaluation, state: 'running' } }),
      status('finished', {
        step: 3, totalSteps: 3, model: 'fc-p1',
        evaluation: { ...evaluation, state: 'done', before: { J: 0.5, F: 0.6, JF: 0.55 }, after: { J: 0.7, F: 0.8, JF: 0.75 } },
      }),
    ];
    let calls = 0;
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => answers[Math.min(calls++, answers.length - 1)] } });
    const store = useTrainingStore();
    await store.open('p1');
    await vi.advanceTimersByTimeAsync(2 * STATUS_POLL_MS);
    expect(store.status?.evaluation?.state).toBe('done');
    const callsWhenDone = calls;
    await vi.advanceTimersByTimeAsync(10 * STATUS_POLL_MS);
    expect(calls).toBe(callsWhenDone);
  });

  it('does not poll an idle project', async () => {
    let calls = 0;
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => (calls++, status('idle')) } });
    const store = useTrainingStore();
    await store.open('p1');
    await vi.advanceTimersByTimeAsync(5 * STATUS_POLL_MS);
    expect(calls).toBe(1);
  });

  it('stops polling when the screen closes', async () => {
    let calls = 0;
    installStoresWith({ projects: { get: async () => project }, training: { status: async () => (calls++, status('running', { totalSteps: 9 })) } });
    const store = useTrainingStore();
    await store.open('p1');
    await vi.advanceTimersByTimeAsync(2 * STATUS_POLL_MS);
    expect(calls).toBe(3);
    store.close();
    await vi.advanceTimersByTimeAsync(5 * STATUS_POLL_MS);
    expect(calls).toBe(3);
    expect(store.status).toBeUndefined();
  });

  it('keeps the last status and retries when a poll fails', async () => {
    const answers: Array<() => Promise<TrainingStatus>> = [
      async () => status('running', { step: 1, totalSteps: 5 }),
      () => Promise.reject(new ApiClientError('CONNECTION_LOST', 'The connection to Correspond was lost.')),
      async () => status('running', { step: 2, totalSteps: 5 }),
    ];
    let calls = 0;
    installStoresWith({ projects: { get: async () => project }, training: { status: () => answers[Math.min(calls++, answers.length - 1)]() } });
    const store = useTrainingStore();
    await store.open('p1');
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    expect(store.pollError).toMatch(/connection/);
    expect(store.status?.step).toBe(1);
    await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    expect(store.pollError).toBeUndefined();
    expect(store.status?.step).toBe(2);
  });

  it('pauses, resumes and cancels, showing the engine\'s refusal', async () => {
    const sent: string[] = [];
    installStoresWith({
      projects: { get: async () => project },
      training: {
        status: async () => status('running', { totalSteps: 9 }),
        pause: async () => (sent.push('pause'), status('paused', { totalSteps: 9 })),
        resume: async () => (sent.push('resume'), status('running', { totalSteps: 9 })),
        cancel: async () => Promise.reject(new ApiClientError('NOT_RUNNING', 'No training is running for this project.')),
      },
    });
    const store = useTrainingStore();
    await store.open('p1');
    await store.pause();
    expect(store.status?.state).toBe('paused');
    await store.resume();
    expect(sent).toEqual(['pause', 'resume']);
    await store.cancel();
    expect(store.actionError).toBe('No training is running for this project.');
    expect(store.pendingAction).toBeUndefined();
    await settle();
    store.close();
  });

  it('shows why a project could not be opened', async () => {
    installStoresWith({
      projects: { get: async () => Promise.reject(new ApiClientError('NOT_FOUND', 'No project p9.')) },
      training: { status: async () => status('idle') },
    });
    const store = useTrainingStore();
    await store.open('p9');
    expect(store.loadError).toBe('No project p9.');
  });
});
