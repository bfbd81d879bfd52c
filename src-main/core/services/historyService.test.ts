// Undo/redo through the services, as the app uses them: every kind of step on a real project file, propagation runs
// as one step (finished or cancelled), the redo branch, the cap, and history that outlives closing the project.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiErrorShape } from '../api/apiError.ts';
import type { CorrespondApi, FrameAnnotations, KeypointValue } from '../api/contract.ts';
import { createServices, type Services } from '../createServices.ts';
import { defaultHistoryLimits } from '../store/editHistory.ts';
import { ProjectLibrary } from '../store/projectLibrary.ts';
import type { HistoryLimits } from '../store/types.ts';
import { makeTempFolder } from '../../../tests/support/testClips.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const W = 160;
const H = 96;
const FRAMES = 10;
const SIDE = 32;
const squareX = (n: number) => 6 + 3 * n;
const SQUARE_Y = 30;

function squareMask(n: number, grow = 0): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = SQUARE_Y; y < SQUARE_Y + SIDE + grow; y++) for (let x = squareX(n); x < squareX(n) + SIDE + grow; x++) mask[y * W + x] = 1;
  return mask;
}

function skeleton(shift: number): KeypointValue[] {
  return Array.from({ length: 15 }, (_, joint) => ({ x: 10 + joint * 4 + shift, y: 20 + joint * 2, visibility: 2 as const }));
}

let folder: string;
let clipPath: string;
const opened: Services[] = [];

function open(libraryName: string, historyLimits?: HistoryLimits): Services {
  const services = createServices({
    libraryDirectory: path.join(folder, libraryName),
    host: 'browser',
    appRoot,
    storeOptions: historyLimits ? { historyLimits } : undefined,
    describeComputeDevice: () => ({ device: 'cpu', label: 'CPU · test', reason: 'test', threads: 1 }),
  });
  opened.push(services);
  return services;
}

beforeAll(() => {
  folder = makeTempFolder('correspond-history-service-');
  clipPath = path.join(folder, 'square.mkv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=10:d=${FRAMES / 10},hue=s=0`,
    '-f', 'lavfi', '-i', `color=c=red:s=${SIDE}x${SIDE}:r=10:d=${FRAMES / 10}`,
    '-filter_complex', `[0][1]overlay=x='6+30*t':y=${SQUARE_Y}:shortest=1`, '-c:v', 'ffv1', clipPath]);
});
afterAll(() => {
  for (const services of opened) services.dispose();
  rmSync(folder, { recursive: true, force: true });
});

/** A project with the square clip; `ids` is what every call needs. */
async function squareProject(api: CorrespondApi, name: string) {
  const project = await api.projects.create({ name });
  const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
  return { projectId: project.id, clipId: clip.id };
}

/** Every frame's labels and the timeline: what "the clip as it was" means in these tests. */
async function clipState(api: CorrespondApi, ids: { projectId: string; clipId: string }) {
  const frames: FrameAnnotations[] = [];
  for (let frameIndex = 0; frameIndex < FRAMES; frameIndex++) {
    // Revisions only ever grow (an undo is a new write): the labels are what must come back.
    const { revisions: _revisions, ...labels } = await api.annotations.getFrame({ ...ids, frameIndex });
    frames.push(labels);
  }
  return { frames, timeline: await api.annotations.getTimeline(ids), objects: await api.objects.list(ids) };
}

async function errorOf(promise: Promise<unknown>) {
  return toApiErrorShape(await promise.then(() => undefined, (error: unknown) => error));
}

describe('history service', () => {
  it('undoes and redoes a brush stroke, naming it by tool and frame, and reports what changed', async () => {
    const { api } = open('brush');
    const ids = await squareProject(api, 'Brush');
    expect(await api.history.status(ids)).toEqual({ canUndo: false, canRedo: false, busy: false });
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 3, mask: squareMask(3), tool: 'brush' });
    expect(await api.history.status(ids)).toMatchObject({ canUndo: true, canRedo: false, undoLabel: 'brush on frame 3' });

    const undone = await api.history.undo(ids);
    expect(undone).toMatchObject({ label: 'brush on frame 3', objectIds: [square.id], frames: { first: 3, last: 3 }, objectsChanged: false });
    expect(undone.status).toMatchObject({ canUndo: true, undoLabel: 'add "square"', canRedo: true, redoLabel: 'brush on frame 3' });
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 3 })).annotations).toEqual([]);
    expect((await api.annotations.getTimeline(ids)).keyframes).toEqual([]);

    const redone = await api.history.redo(ids);
    expect(redone.label).toBe('brush on frame 3');
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 3 })).annotations).toEqual([
      { objectId: square.id, source: 'user', confidence: null, mask: squareMask(3) },
    ]);
    // An eraser stroke that empties the frame is a step too; its undo brings the mask back.
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 3, mask: new Uint8Array(W * H), tool: 'eraser' });
    expect((await api.history.status(ids)).undoLabel).toBe('eraser on frame 3');
    await api.history.undo(ids);
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 3 })).annotations[0].mask).toEqual(squareMask(3));
  });

  it('undoes joints and reviewed marks step by step', async () => {
    const { api } = open('keypoints');
    const ids = await squareProject(api, 'Pose');
    const pose = await api.objects.create({ ...ids, name: 'pose', kind: 'keypoints' });
    await api.annotations.putKeypoints({ ...ids, objectId: pose.id, frameIndex: 2, keypoints: skeleton(0) });
    await api.annotations.putKeypoints({ ...ids, objectId: pose.id, frameIndex: 2, keypoints: skeleton(5) });
    await api.annotations.setReviewed({ ...ids, frameIndex: 2, reviewed: true });
    // Marking a frame as it already is changes nothing: no step, and the history stays as it was.
    await api.annotations.setReviewed({ ...ids, frameIndex: 2, reviewed: true });
    expect((await api.history.status(ids)).undoLabel).toBe('reviewed mark on frame 2');

    await api.history.undo(ids);
    expect((await api.annotations.getTimeline(ids)).reviewed[2]).toBe(false);
    const second = await api.history.undo(ids);
    expect(second).toMatchObject({ label: 'joints on frame 2', frames: { first: 2, last: 2 } });
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 2 })).annotations[0].keypoints).toEqual(skeleton(0));
    await api.history.undo(ids);
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 2 })).annotations).toEqual([]);
    await api.history.redo(ids);
    await api.history.redo(ids);
    await api.history.redo(ids);
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 2 })).annotations[0].keypoints).toEqual(skeleton(5));
    expect((await api.annotations.getTimeline(ids)).reviewed[2]).toBe(true);
  });

  it('undoes creating, renaming and deleting an object, bringing back every label a deleted object had', async () => {
    const { api } = open('objects');
    const ids = await squareProject(api, 'Objects');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask', paletteIndex: 4, firstFrame: 1 });
    for (const frameIndex of [1, 5, 9]) await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex, mask: squareMask(frameIndex) });
    const other = await api.objects.create({ ...ids, name: 'other', kind: 'mask' });
    await api.annotations.setReviewed({ ...ids, frameIndex: 5, reviewed: true });
    await api.objects.update({ projectId: ids.projectId, objectId: square.id, name: 'Square', hidden: true });
    expect((await api.history.status(ids)).undoLabel).toBe('rename "square" to "Square", hide "square"');
    const beforeDelete = await clipState(api, ids);
    await api.objects.delete({ projectId: ids.projectId, objectId: square.id });
    expect((await api.history.status(ids)).undoLabel).toBe('delete "Square"');
    expect((await api.objects.list(ids)).map((object) => object.id)).toEqual([other.id]);

    const restored = await api.history.undo(ids);
    expect(restored).toMatchObject({ objectsChanged: true, frames: { first: 1, last: 9 } });
    expect(restored.objectIds).toContain(square.id);
    expect(await clipState(api, ids)).toEqual(beforeDelete);

    await api.history.undo(ids);
    expect((await api.objects.list(ids)).find((object) => object.id === square.id)).toMatchObject({ name: 'square', hidden: false, paletteIndex: 4, firstFrame: 1 });
    // Back past the reviewed mark, the other object and the three strokes to the creation: undoing that removes it.
    await api.history.undo(ids);
    expect((await api.history.status(ids)).undoLabel).toBe('add "other"');
    for (let step = 0; step < 4; step++) await api.history.undo(ids);
    expect((await api.history.status(ids)).undoLabel).toBe('add "square"');
    const uncreated = await api.history.undo(ids);
    expect(uncreated).toMatchObject({ objectsChanged: true, frames: null, objectIds: [square.id] });
    expect(await api.objects.list(ids)).toEqual([]);
    expect(await api.history.status(ids)).toMatchObject({ canUndo: false, canRedo: true, redoLabel: 'add "square"' });
    expect(await errorOf(api.history.undo(ids))).toMatchObject({ code: 'NOTHING_TO_UNDO' });

    for (let step = 0; step < 8; step++) await api.history.redo(ids);
    expect((await api.objects.list(ids)).map((object) => object.id)).toEqual([other.id]);
    expect(await errorOf(api.history.redo(ids))).toMatchObject({ code: 'NOTHING_TO_REDO' });
  });

  it('undoes a whole propagation run as one step, and a fill over a correction back to the first run', async () => {
    const { api } = open('propagation');
    const ids = await squareProject(api, 'Runs');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0), tool: 'brush' });
    const keyframeOnly = await clipState(api, ids);

    await api.propagation.run({ ...ids, mode: 'forward', stream: 'pixels' });
    expect((await api.history.status(ids)).undoLabel).toBe(`propagation (${FRAMES - 1} frames)`);
    const forward = await clipState(api, ids);
    expect(forward.timeline.propagated).toHaveLength(FRAMES - 1);

    // Correct frame 6 (it becomes a keyframe), then fill: frames 1–5, strictly between the keyframes, change.
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 6, mask: squareMask(6, 4), tool: 'polygon' });
    await api.propagation.run({ ...ids, mode: 'fill', stream: 'pixels' });
    const filled = await clipState(api, ids);
    expect(filled.frames[3]).not.toEqual(forward.frames[3]);

    const undoFill = await api.history.undo(ids);
    expect(undoFill).toMatchObject({ label: 'propagation (5 frames)', objectIds: [square.id], frames: { first: 1, last: 5 } });
    expect((await clipState(api, ids)).frames.filter((_, n) => n !== 6)).toEqual(forward.frames.filter((_, n) => n !== 6));
    expect((await api.history.undo(ids)).label).toBe('polygon on frame 6');
    expect(await clipState(api, ids)).toEqual(forward);
    await api.history.undo(ids);
    expect(await clipState(api, ids)).toEqual(keyframeOnly);

    for (let step = 0; step < 3; step++) await api.history.redo(ids);
    expect(await clipState(api, ids)).toEqual(filled);
  }, 120_000);

  it('keeps a cancelled run as one step of the frames it wrote, and refuses undo while a run writes', async () => {
    const { api } = open('cancel');
    const ids = await squareProject(api, 'Cancel');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0), tool: 'brush' });
    const controller = new AbortController();
    const duringRun: Array<Promise<unknown>> = [];
    const summary = await api.propagation.run(
      { ...ids, mode: 'forward', stream: 'pixels' },
      {
        signal: controller.signal,
        onProgress: ({ done }) => {
          if (done === 1) duringRun.push(api.history.status(ids), errorOf(api.history.undo(ids)));
          if (done === 3) controller.abort();
        },
      },
    );
    expect(summary).toMatchObject({ cancelled: true, framesWritten: 3 });
    const [statusDuring, undoDuring] = await Promise.all(duringRun);
    expect(statusDuring).toMatchObject({ busy: true, canUndo: false, canRedo: false });
    expect(undoDuring).toMatchObject({ code: 'BUSY' });

    expect(await api.history.status(ids)).toMatchObject({ busy: false, canUndo: true, undoLabel: 'propagation (3 frames, cancelled)' });
    const undone = await api.history.undo(ids);
    expect(undone.frames).toEqual({ first: 1, last: 3 });
    const timeline = await api.annotations.getTimeline(ids);
    expect(timeline.propagated).toEqual([]);
    expect(timeline.confidence.every((value) => value === null)).toBe(true);
    expect((await api.history.status(ids)).undoLabel).toBe('brush on frame 0');
  }, 60_000);

  it('leaves a label the annotator changed during a run as they left it, so undo unwinds both steps cleanly', async () => {
    const { api } = open('during');
    const ids = await squareProject(api, 'During');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0), tool: 'brush' });
    await api.propagation.run({ ...ids, mode: 'forward', stream: 'pixels' });
    const firstRun = await clipState(api, ids);
    const erased: Array<Promise<unknown>> = [];
    await api.propagation.run(
      { ...ids, mode: 'forward', stream: 'pixels' },
      { onProgress: ({ done }) => void (done === 1 && erased.push(api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 7, mask: new Uint8Array(W * H), tool: 'eraser' }))) },
    );
    await Promise.all(erased);
    expect(erased).toHaveLength(1);
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 7 })).annotations).toEqual([]);
    expect((await api.history.undo(ids)).label).toBe('eraser on frame 7');
    expect((await api.history.undo(ids)).label).toBe(`propagation (${FRAMES - 2} frames)`);
    expect(await clipState(api, ids)).toEqual(firstRun);
  }, 60_000);

  it('removes small islands on one frame or on every propagated frame as one undoable step, keeping sources', async () => {
    const { api } = open('islands');
    const ids = await squareProject(api, 'Specks');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0), tool: 'brush' });
    await api.propagation.run({ ...ids, mode: 'forward', toFrame: 3, stream: 'pixels' });
    // Specks: a 2×2 island on propagated frames 2 and 3 and on the keyframe.
    const speck = (mask: Uint8Array) => {
      const out = Uint8Array.from(mask);
      for (const [x, y] of [[150, 5], [151, 5], [150, 6], [151, 6]]) out[y * W + x] = 1;
      return out;
    };
    const before = await clipState(api, ids);
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: speck(squareMask(0)), tool: 'brush' });
    // Revisions only ever grow (an undo is a new write): the labels are what must come back.
    const { revisions: _revisions, ...frame0 } = await api.annotations.getFrame({ ...ids, frameIndex: 0 });
    expect(await api.annotations.removeSmallIslands({ ...ids, objectId: square.id, minPixels: 10, frameIndex: 0 })).toEqual({ frames: 1, islands: 1, pixels: 4 });
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 0 })).annotations[0]).toMatchObject({ source: 'user', mask: squareMask(0) });
    expect((await api.history.undo(ids)).label).toBe('islands under 10 px removed (square, frame 0)');
    expect(await api.annotations.getFrame({ ...ids, frameIndex: 0 })).toMatchObject({ ...frame0, revisions: expect.anything() });
    await api.history.undo(ids);
    expect(await clipState(api, ids)).toEqual(before);

    // Every propagated frame: frames 2 and 3 get a speck through the store's own path (a run wrote them).
    const [frame2, frame3] = [before.frames[2].annotations[0], before.frames[3].annotations[0]];
    expect(frame2.source).toBe('propagated');
    const library = new ProjectLibrary(path.join(folder, 'islands'));
    const store = library.open(ids.projectId);
    for (const frameIndex of [2, 3]) {
      const record = store.getAnnotation(square.id, frameIndex)!;
      if (record.kind !== 'labels') throw new Error('expected labels');
      store.putAnnotation({ objectId: square.id, frameIndex, source: 'propagated', runId: record.runId, confidence: record.confidence, kind: 'labels', labels: { ...record.labels, data: speck(record.labels.data) } });
    }
    library.close();
    const specked = await clipState(api, ids);
    const summary = await api.annotations.removeSmallIslands({ ...ids, objectId: square.id, minPixels: 10 });
    expect(summary).toEqual({ frames: 2, islands: 2, pixels: 8 });
    const cleaned = await clipState(api, ids);
    expect(cleaned.frames[2].annotations[0]).toEqual(frame2);
    expect(cleaned.frames[3].annotations[0]).toEqual(frame3);
    expect(cleaned.timeline).toEqual(specked.timeline);
    const undone = await api.history.undo(ids);
    expect(undone).toMatchObject({ label: 'islands under 10 px removed (square, propagated frames)', frames: { first: 2, last: 3 } });
    expect(await clipState(api, ids)).toEqual(specked);
    const keypoints = await api.objects.create({ ...ids, name: 'pose', kind: 'keypoints' });
    expect(await errorOf(api.annotations.removeSmallIslands({ ...ids, objectId: keypoints.id, minPixels: 10 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  }, 120_000);

  it('drops the redo branch when a new edit is made', async () => {
    const { api } = open('branch');
    const ids = await squareProject(api, 'Branch');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 1, mask: squareMask(1), tool: 'brush' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 2, mask: squareMask(2), tool: 'brush' });
    await api.history.undo(ids);
    await api.history.undo(ids);
    expect((await api.history.status(ids)).canRedo).toBe(true);
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 4, mask: squareMask(4), tool: 'polygon' });
    expect(await api.history.status(ids)).toMatchObject({ canRedo: false, undoLabel: 'polygon on frame 4' });
    expect(await errorOf(api.history.redo(ids))).toMatchObject({ code: 'NOTHING_TO_REDO' });
    expect((await api.annotations.getTimeline(ids)).keyframes).toEqual([4]);
  });

  it('keeps the history in the project file: a reopened project undoes its last run and the edits before it', async () => {
    const first = open('reopen');
    const ids = await squareProject(first.api, 'Reopen');
    const square = await first.api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await first.api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0), tool: 'brush' });
    const keyframeOnly = await clipState(first.api, ids);
    await first.api.propagation.run({ ...ids, mode: 'forward', stream: 'pixels' });
    first.dispose();
    opened.splice(opened.indexOf(first), 1);

    const { api } = open('reopen');
    expect(await api.history.status(ids)).toMatchObject({ canUndo: true, undoLabel: `propagation (${FRAMES - 1} frames)` });
    await api.history.undo(ids);
    expect(await clipState(api, ids)).toEqual(keyframeOnly);
    expect((await api.history.undo(ids)).label).toBe('brush on frame 0');
  }, 60_000);

  it('caps the history per clip and reaches back further only to keep the last propagation run', async () => {
    expect(defaultHistoryLimits).toEqual({ steps: 200, stepsKeepingLastRun: 1000 });
    const { api } = open('cap', { steps: 3, stepsKeepingLastRun: 5 });
    const ids = await squareProject(api, 'Cap');
    const square = await api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0) });
    await api.propagation.run({ ...ids, mode: 'forward', stream: 'pixels', toFrame: 2 });
    const edit = (frameIndex: number) => api.annotations.putMask({ ...ids, objectId: square.id, frameIndex, mask: squareMask(frameIndex), tool: 'brush' });
    const undoAll = async () => {
      const labels: string[] = [];
      while ((await api.history.status(ids)).canUndo) labels.push((await api.history.undo(ids)).label);
      for (const _ of labels) await api.history.redo(ids);
      return labels;
    };
    for (const frameIndex of [5, 6, 7]) await edit(frameIndex);
    // Three steps are the cap, but the run behind them stays: four steps.
    expect(await undoAll()).toEqual(['brush on frame 7', 'brush on frame 6', 'brush on frame 5', 'propagation (2 frames)']);
    await edit(8);
    expect(await undoAll()).toHaveLength(5);
    // Past five steps the run goes too, and then the cap of three applies again; the oldest steps always go first.
    await edit(9);
    expect(await undoAll()).toEqual(['brush on frame 9', 'brush on frame 8', 'brush on frame 7', 'brush on frame 6', 'brush on frame 5']);
    await edit(4);
    expect(await undoAll()).toEqual(['brush on frame 4', 'brush on frame 9', 'brush on frame 8']);
  }, 60_000);

  it('refuses bad arguments and unknown clips with clear errors', async () => {
    const services = open('errors');
    const ids = await squareProject(services.api, 'Errors');
    const missingClip = '00000000-0000-0000-0000-000000000000';
    expect(await errorOf(services.api.history.undo({ projectId: ids.projectId, clipId: missingClip }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await errorOf(services.dispatcher.dispatch('history', 'undo', { projectId: ids.projectId }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'history.undo.clipId must be a string (got undefined).',
    });
    const square = await services.api.objects.create({ ...ids, name: 'square', kind: 'mask' });
    expect(
      await errorOf(services.dispatcher.dispatch('annotations', 'putMask', { ...ids, objectId: square.id, frameIndex: 0, mask: squareMask(0), tool: 'spray' })),
    ).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
