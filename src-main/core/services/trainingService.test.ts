// FC training through the services: a tiny run on a generated clip exports and registers the project's model;
// a killed worker is reported, the project stays intact, and starting again resumes from the last checkpoint.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingStatus } from '../api/contract.ts';
import { createServices, type Services } from '../createServices.ts';
import { findPython } from '../training/findPython.ts';
import { makeColourClip, makeTempFolder } from '../../../tests/support/testClips.ts';
import { readShippedFcDescription, shippedFcInitialWeights } from '../models/shippedModels.ts';
import type { ProjectTrainingService } from './trainingService.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const python = await findPython();
let folder: string;
let services: Services;

async function waitFor(projectId: string, done: (status: TrainingStatus) => boolean, timeoutMs = 180_000): Promise<TrainingStatus> {
  const started = Date.now();
  for (;;) {
    const status = await services.api.training.status({ projectId });
    if (done(status)) return status;
    if (Date.now() - started > timeoutMs) throw new Error(`training status stuck at ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!python.found)(`training service (skipped: ${python.found ? '' : python.message})`, () => {
  beforeAll(() => {
    folder = makeTempFolder('correspond-training-service-');
    services = createServices({
      libraryDirectory: path.join(folder, 'library'),
      modelRegistryDirectory: path.join(folder, 'models'),
      host: 'browser',
      appRoot,
      trainingConfig: { batchSize: 2, imageSize: 64, checkpointEvery: 1, device: 'cpu', threads: 1 },
    });
  });
  afterAll(() => {
    services.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it('trains on a clip, reports progress and losses, and registers the exported FC model', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Train' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: makeColourClip(folder, 'mkv', { name: 'train', frames: 12 }) });
    // A mask object with keyframes on frames 0, 5 and 10: the panel's J&F holds out 5 and 10.
    const object = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'Box', kind: 'mask' });
    for (const [frameIndex, left] of [[0, 8], [5, 12], [10, 16]]) {
      const mask = new Uint8Array(clip.width * clip.height);
      for (let y = 8; y < 40; y++) mask.fill(1, y * clip.width + left, y * clip.width + left + 32);
      await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: object.id, frameIndex, mask });
    }
    expect((await api.training.status({ projectId: project.id })).state).toBe('idle');
    await api.training.start({ projectId: project.id, clipIds: [clip.id], steps: 3 });
    const status = await waitFor(project.id, (s) => s.state === 'finished' && s.model !== undefined);
    expect(status).toMatchObject({ step: 3, totalSteps: 3, frameCount: 12 });
    // The run continues the shipped FC, so it trains the shipped network.
    expect(status.network).toBe(`${readShippedFcDescription(appRoot).network} · 2 × 64² views`);
    expect(status.losses.map((entry) => entry.step)).toEqual([1, 2, 3]);
    expect(status.device).toMatch(/CPU/);
    const models = await api.models.list();
    expect(models.find((model) => model.streamName === status.model)).toMatchObject({ origin: 'imported', stride: 8, role: 'fine-grained' });
    const scored = await waitFor(project.id, (s) => s.evaluation !== undefined && s.evaluation.state !== 'running');
    const evaluation = scored.evaluation!;
    expect(evaluation).toMatchObject({ state: 'done', objectName: 'Box', inputFrame: 0, heldOutFrames: [5, 10] });
    expect(evaluation.beforeStream).toBe(shippedFcInitialWeights(appRoot) ? 'default+fc@1.75' : 'default');
    expect(evaluation.afterStream).toBe(`default+${status.model}@1.75`);
    // The clip's frames are flat colours, so the values say nothing about the models here (a 3-step run on them can
    // lose the box entirely); that both sides are scored, and how, is what this checks.
    for (const score of [evaluation.before!, evaluation.after!]) {
      expect(score.JF).toBeCloseTo((score.J + score.F) / 2, 12);
      expect(score.J).toBeGreaterThanOrEqual(0);
      expect(score.J).toBeLessThanOrEqual(1);
    }
    // Held out means held out: scoring never wrote a propagated frame into the project.
    const timeline = await api.annotations.getTimeline({ projectId: project.id, clipId: clip.id });
    expect(timeline.propagated).toEqual([]);
    expect(timeline.keyframes).toEqual([0, 5, 10]);
  }, 240_000);

  it('reports a killed worker, keeps the project, and resumes from the last checkpoint', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Crash' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: makeColourClip(folder, 'mkv', { name: 'crash', frames: 8 }) });
    await api.training.start({ projectId: project.id, clipIds: [clip.id], steps: 6 });
    await waitFor(project.id, (s) => s.step >= 2);
    const training = (services.api.training as ProjectTrainingService);
    training.workerOf(project.id)!.kill('SIGKILL');
    const failed = await waitFor(project.id, (s) => s.state === 'failed');
    expect(failed.message).toMatch(/stopped unexpectedly/);
    expect((await api.projects.get({ projectId: project.id })).clips.map((c) => c.id)).toEqual([clip.id]);
    await api.training.start({ projectId: project.id, clipIds: [clip.id], steps: 6 });
    const resumed = await waitFor(project.id, (s) => /Resumed from step [1-9]/.test(s.message) || s.state === 'finished');
    expect(resumed.state).not.toBe('failed');
    const finished = await waitFor(project.id, (s) => s.state === 'finished');
    expect(finished.step).toBe(6);
    // The resumed run reported only the steps after the checkpoint it started from.
    expect(finished.losses[0].step).toBeGreaterThan(1);
  }, 300_000);

  it('records the run in the project: after the app is killed mid-run the status says interrupted, and starting again resumes from its checkpoint', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Killed app' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: makeColourClip(folder, 'mkv', { name: 'killed', frames: 8 }) });
    // The app that trains: its own services over the same library, in a process the test kills like a crash would.
    const app = spawn(process.execPath, ['--input-type=module', '-e', [
      "const { register } = await import('tsx/esm/api'); register();",
      `const { createServices } = await import(${JSON.stringify(path.join(appRoot, 'src-main/core/createServices.ts'))});`,
      `const services = createServices(${JSON.stringify({
        libraryDirectory: path.join(folder, 'library'), modelRegistryDirectory: path.join(folder, 'models'), host: 'browser', appRoot,
        trainingConfig: { batchSize: 2, imageSize: 64, checkpointEvery: 1, device: 'cpu', threads: 1 },
      })});`,
      `const ids = ${JSON.stringify({ projectId: project.id })};`,
      `await services.api.training.start({ ...ids, clipIds: [${JSON.stringify(clip.id)}], steps: 400 });`,
      'for (;;) {',
      '  const status = await services.api.training.status(ids);',
      '  console.log(JSON.stringify({ step: status.step, pid: services.api.training.workerOf(ids.projectId)?.pid }));',
      '  await new Promise((resolve) => setTimeout(resolve, 100));',
      '}',
    ].join('\n')], { cwd: appRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => app.once('exit', resolve));
    let workerPid: number;
    try {
      workerPid = await new Promise<number>((resolve, reject) => {
        createInterface({ input: app.stdout! }).on('line', (line) => {
          const report = JSON.parse(line) as { step: number; pid?: number };
          if (report.step >= 3 && report.pid) resolve(report.pid);
        });
        app.on('exit', (code) => reject(new Error(`the training app exited by itself (${code})`)));
        setTimeout(() => reject(new Error('the training app did not reach step 3')), 150_000);
      });
    } finally {
      app.kill('SIGKILL'); // the crash under test, and never a leftover process when the test fails
      await exited;
    }

    // This test's services are the restarted app: the run it never saw end is interrupted, not "never trained".
    const interrupted = await waitFor(project.id, (s) => !s.checking);
    expect(interrupted).toMatchObject({ state: 'interrupted', totalSteps: 400, clipIds: [clip.id] });
    expect(interrupted.step).toBeGreaterThanOrEqual(2);
    expect(interrupted.message).toMatch(/^Interrupted at step \d+ of 400 when the app closed; resume continues from the checkpoint at step \d+\.$/);
    // The worker went with its app (it watches its parent), so nothing trains on behind the user's back.
    await expect.poll(() => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${workerPid}/stat`, 'utf8')); } catch { return false; } }, { timeout: 5000 }).toBe(false);

    await api.training.start({ projectId: project.id, clipIds: interrupted.clipIds!, steps: interrupted.step + 2 });
    const resumed = await waitFor(project.id, (s) => /Resumed from step/.test(s.message) || ['finished', 'failed'].includes(s.state));
    expect(resumed.state).not.toBe('failed');
    const finished = await waitFor(project.id, (s) => s.state === 'finished');
    expect(finished.step).toBe(interrupted.step + 2);
    // It resumed, not started over: from the checkpoint the project recorded, or from the one the worker wrote
    // just before the kill, which the killed app had no time to record (checkpoints every step here).
    expect(finished.losses[0].step).toBeGreaterThanOrEqual(interrupted.step + 1);
    expect(finished.losses[0].step).toBeLessThanOrEqual(interrupted.step + 2);
    expect((await api.training.status({ projectId: project.id })).state).toBe('finished');
  }, 300_000);
});
