// The Training screen's status without a worker (no torch needed): it answers at once while Python is looked for,
// names the object the held-out J&F will score, and reads the project's recorded runs (an unfinished one is
// interrupted and resumable).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OnnxSessionPool } from '../models/onnxRuntime.ts';
import { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { PythonSearchResult } from '../training/findPython.ts';
import { recordMeasuredSpeed } from '../training/trainingSpeed.ts';
import { ProjectTrainingService } from './trainingService.ts';

const pythonWithTorch: PythonSearchResult = {
  found: true,
  python: { executable: '/usr/bin/python3', pythonVersion: '3.11.2', torchVersion: '2.1.0', cudaAvailable: false },
  candidates: [],
};

let folder: string;
let library: ProjectLibrary;
let store: ProjectStore;
let projectId: string;

function service(findPython: () => Promise<PythonSearchResult>): ProjectTrainingService {
  return new ProjectTrainingService({
    library, pool: {} as OnnxSessionPool, registryDirectory: path.join(folder, 'models'), findPython,
    architecture: 'mobilenetv2', speedFile: path.join(folder, 'training-speed.json'),
    benchmarkFile: path.join(import.meta.dirname, '../../../benchmarks/training.json'),
  });
}

function addClip(name: string) {
  return store.addClip({ name, sourcePath: `/videos/${name}.mp4`, sourceKind: 'video', fps: 25, width: 8, height: 6, frameCount: 60 });
}

function drawKeyframe(objectId: string, frameIndex: number): void {
  store.putAnnotation({ objectId, frameIndex, source: 'user', kind: 'labels', labels: { width: 8, height: 6, data: new Uint8Array(48).fill(1, 8, 20) } });
}

beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'correspond-training-status-'));
  library = new ProjectLibrary(path.join(folder, 'library'));
  store = library.create('Status');
  projectId = store.getProject().id;
});

afterEach(() => {
  library.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('training status', () => {
  it('answers at once while Python is still being looked for, and says it is checking', async () => {
    let answer!: (result: PythonSearchResult) => void;
    const training = service(() => new Promise((resolve) => (answer = resolve)));
    const first = await Promise.race([training.status({ projectId }), new Promise((resolve) => setTimeout(() => resolve('waited'), 500))]);
    expect(first).toMatchObject({ state: 'idle', checking: true });
    answer(pythonWithTorch);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const next = await training.status({ projectId });
    expect(next.checking).toBeUndefined();
    expect(next.state).toBe('idle');
  });

  it('estimates a step of the shipped MobileNetV2 on a CPU from the benchmark record, then from this computer\'s own measurement', async () => {
    const training = service(async () => pythonWithTorch);
    await training.status({ projectId });
    const recorded = (await training.status({ projectId })).estimate!;
    // benchmarks/training.json: 2.465 images/s at 8 × 192² on 2 threads; the app trains on all cores but one.
    const threads = Math.max(1, availableParallelism() - 1);
    expect(recorded.secondsPerStep).toBeCloseTo(8 / (2.465 * (threads / 2)), 6);
    expect(recorded.basis).toMatch(/^recorded in benchmarks\/training\.json on .*\(2\.5 images\/s/);
    recordMeasuredSpeed(path.join(folder, 'training-speed.json'), {
      architecture: 'mobilenetv2', device: 'cpu', batchSize: 8, imageSize: 192, threads, imagesPerSecond: 0.2, machine: 'here', measuredAt: '',
    });
    const measured = (await training.status({ projectId })).estimate!;
    // 1000 steps at 40 s each: the ~10 h the Training screen must warn about before the run starts.
    expect(measured.secondsPerStep).toBeCloseTo(40, 6);
    expect(measured.basis).toMatch(/^measured on this computer in an earlier run \(0\.2 images\/s\)$/);
  });

  it('names the object the held-out J&F will score before any run: keyframes on frames 0 and 45 are enough', async () => {
    const clip = addClip('horse');
    const object = store.addObject({ clipId: clip.id, name: 'Horse', kind: 'mask' });
    drawKeyframe(object.id, 0);
    drawKeyframe(object.id, 45);
    const training = service(async () => pythonWithTorch);
    const status = await training.status({ projectId });
    expect(status.heldOut).toEqual({ clipName: 'horse', objectName: 'Horse', inputFrame: 0, heldOutFrames: [45] });
  });

  it('reads a run recorded as running, with no worker in this process, as interrupted at its checkpoint', async () => {
    const clip = addClip('horse');
    const id = store.trainingRuns.begin({ clipIds: [clip.id], totalSteps: 1000 });
    store.trainingRuns.update(id, { step: 150, checkpointStep: 150 });
    const status = await service(async () => pythonWithTorch).status({ projectId });
    expect(status).toMatchObject({ state: 'interrupted', step: 150, totalSteps: 1000, clipIds: [clip.id] });
    expect(status.message).toBe('Interrupted at step 150 of 1,000 when the app closed; resume continues from the checkpoint at step 150.');
    store.trainingRuns.update(id, { state: 'cancelled', step: 151, message: 'Cancelled at step 151; start again to resume.' });
    expect(await service(async () => pythonWithTorch).status({ projectId })).toMatchObject({ state: 'cancelled', step: 151, message: 'Cancelled at step 151; start again to resume.' });
  });
});
