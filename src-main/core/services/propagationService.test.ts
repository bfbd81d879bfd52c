// Propagation through the services, as the app does it: keyframes drawn by the user, a run, propagated masks saved
// per frame, user keyframes and other objects untouched, cancel keeps what is done.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLER_GONE, toApiErrorShape } from '../api/apiError.ts';
import type { Progress } from '../api/contract.ts';
import { createServices, type Services } from '../createServices.ts';
import { makeTempFolder } from '../../../tests/support/testClips.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const W = 320;
const H = 192;
const FRAMES = 16;
const SIDE = 64;
/** The square's left edge on frame n (overlay x = 12 + 60·t at 10 fps). */
const squareX = (n: number) => 12 + 6 * n;
const SQUARE_Y = 60;

function squareMask(n: number): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = SQUARE_Y; y < SQUARE_Y + SIDE; y++) for (let x = squareX(n); x < squareX(n) + SIDE; x++) mask[y * W + x] = 1;
  return mask;
}

function iou(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i] & b[i];
    either += a[i] | b[i];
  }
  return either ? both / either : 1;
}

let folder: string;
let services: Services;
let clipPath: string;

beforeAll(() => {
  folder = makeTempFolder('correspond-propagation-service-');
  clipPath = path.join(folder, 'square.mkv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=${W}x${H}:r=10:d=${FRAMES / 10},hue=s=0`,
    '-f', 'lavfi', '-i', `color=c=red:s=${SIDE}x${SIDE}:r=10:d=${FRAMES / 10}`,
    '-filter_complex', `[0][1]overlay=x='12+60*t':y=${SQUARE_Y}:shortest=1`, '-c:v', 'ffv1', clipPath]);
  services = createServices({ libraryDirectory: path.join(folder, 'library'), host: 'browser', appRoot });
});
afterAll(() => {
  services.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('propagation service', () => {
  it('carries a user mask through the clip, saves every frame, and never overwrites a user keyframe', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Square' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
    expect(clip.frameCount).toBe(FRAMES);
    const square = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: square.id, frameIndex: 0, mask: squareMask(0) });

    const progress: Progress[] = [];
    const summary = await api.propagation.run(
      { projectId: project.id, clipId: clip.id, mode: 'forward', stream: 'pixels' },
      { onProgress: (event) => progress.push(event) },
    );
    expect(summary).toMatchObject({ mode: 'forward', framesWritten: FRAMES - 1, cancelled: false });
    expect(progress.map((event) => event.frameIndex)).toEqual(Array.from({ length: FRAMES - 1 }, (_, i) => i + 1));
    for (let n = 1; n < FRAMES; n++) {
      const frame = await api.annotations.getFrame({ projectId: project.id, clipId: clip.id, frameIndex: n });
      const [annotation] = frame.annotations;
      expect(annotation).toMatchObject({ objectId: square.id, source: 'propagated' });
      expect(annotation.confidence).toBeGreaterThan(0.5);
      expect(iou(annotation.mask!, squareMask(n)), `frame ${n}`).toBeGreaterThanOrEqual(0.8);
    }
    const timeline = await api.annotations.getTimeline({ projectId: project.id, clipId: clip.id });
    expect(timeline.keyframes).toEqual([0]);
    expect(timeline.propagated).toHaveLength(FRAMES - 1);
    expect(timeline.confidence[0]).toBeNull();
    expect(timeline.confidence[5]).toBeGreaterThan(0.5);

    // A correction on frame 8 becomes a keyframe; filling between keyframes leaves it exactly as drawn.
    const corrected = squareMask(8);
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: square.id, frameIndex: 8, mask: corrected });
    // A second object added on frame 10 is not touched by a run of the first one.
    const other = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'other', kind: 'mask', firstFrame: 10 });
    const otherMask = new Uint8Array(W * H).fill(1, 0, W * 10);
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: other.id, frameIndex: 10, mask: otherMask });
    const fill = await api.propagation.run({ projectId: project.id, clipId: clip.id, objectIds: [square.id], mode: 'fill', stream: 'pixels' });
    expect(fill.framesWritten).toBe(7);
    const frame8 = await api.annotations.getFrame({ projectId: project.id, clipId: clip.id, frameIndex: 8 });
    expect(frame8.annotations.find((a) => a.objectId === square.id)).toMatchObject({ source: 'user', mask: corrected });
    const frame10 = await api.annotations.getFrame({ projectId: project.id, clipId: clip.id, frameIndex: 10 });
    expect(frame10.annotations.find((a) => a.objectId === other.id)).toMatchObject({ source: 'user', mask: otherMask });
    const frame12 = await api.annotations.getFrame({ projectId: project.id, clipId: clip.id, frameIndex: 12 });
    expect(frame12.annotations.map((a) => a.objectId)).toEqual([square.id]);
  }, 120_000);

  it('cancelling keeps the frames already saved and records the run as cancelled', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Cancel' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
    const square = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: square.id, frameIndex: 0, mask: squareMask(0) });
    const controller = new AbortController();
    const summary = await api.propagation.run(
      { projectId: project.id, clipId: clip.id, mode: 'forward', stream: 'pixels' },
      { signal: controller.signal, onProgress: ({ done }) => done === 3 && controller.abort() },
    );
    expect(summary.cancelled).toBe(true);
    expect(summary.framesWritten).toBe(3);
    const timeline = await api.annotations.getTimeline({ projectId: project.id, clipId: clip.id });
    expect(timeline.propagated).toEqual([1, 2, 3]);
  }, 60_000);

  it('fill writes exactly the frames strictly between the two keyframes asked for, with progress on every step', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Fill' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
    const at = { projectId: project.id, clipId: clip.id };
    const square = await api.objects.create({ ...at, name: 'square', kind: 'mask' });
    for (const frameIndex of [0, 5, 12]) await api.annotations.putMask({ ...at, objectId: square.id, frameIndex, mask: squareMask(frameIndex) });
    const progress: Progress[] = [];
    const summary = await api.propagation.run(
      { ...at, mode: 'fill', fromFrame: 5, toFrame: 12, stream: 'pixels' },
      { onProgress: (event) => progress.push(event) },
    );
    expect(summary).toMatchObject({ framesWritten: 6, cancelled: false });
    const timeline = await api.annotations.getTimeline(at);
    expect(timeline.propagated).toEqual([6, 7, 8, 9, 10, 11]);
    // Forward 6–11 then backward 11–6: twelve steps, each reported; the backward steps save their frame.
    expect(progress.map((event) => event.done)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(progress.map((event) => event.total))).toEqual(new Set([12]));
    expect(progress.filter((event) => event.frameIndex !== undefined).map((event) => event.frameIndex)).toEqual([11, 10, 9, 8, 7, 6]);
    for (let n = 6; n <= 11; n++) {
      const [annotation] = (await api.annotations.getFrame({ ...at, frameIndex: n })).annotations;
      expect(iou(annotation.mask!, squareMask(n)), `frame ${n}`).toBeGreaterThanOrEqual(0.8);
    }
    expect(await api.propagation.lastRun(at)).toMatchObject({ runId: summary.runId, mode: 'fill', status: 'finished', framesKept: 6 });
    // Between frame 12 and the clip's end there is no second keyframe: nothing to fill.
    const error = await api.propagation.run({ ...at, mode: 'fill', fromFrame: 12, toFrame: FRAMES - 1, stream: 'pixels' }).catch(toApiErrorShape);
    expect(error).toMatchObject({ code: 'NO_KEYFRAME' });
  }, 60_000);

  it('a run whose caller goes away ends at once as interrupted, keeping its frames, and undo is available', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Reload' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
    const at = { projectId: project.id, clipId: clip.id };
    const square = await api.objects.create({ ...at, name: 'square', kind: 'mask' });
    await api.annotations.putMask({ ...at, objectId: square.id, frameIndex: 0, mask: squareMask(0) });
    const controller = new AbortController();
    let statusAtAbort: unknown;
    const summary = await api.propagation.run({ ...at, mode: 'forward', stream: 'pixels' }, {
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done !== 2) return;
        controller.abort(CALLER_GONE);
        // Synchronously after the abort, before the frame being computed ends: the step is already closed.
        statusAtAbort = api.history.status(at);
      },
    });
    expect(summary).toMatchObject({ cancelled: true, framesWritten: 2 });
    expect(await statusAtAbort).toMatchObject({ busy: false, canUndo: true, undoLabel: 'propagation (2 frames, interrupted)' });
    expect(await api.propagation.lastRun(at)).toMatchObject({ status: 'interrupted', framesKept: 2 });
    expect((await api.annotations.getTimeline(at)).propagated).toEqual([1, 2]);
  }, 60_000);

  it('says what is missing when there is nothing to propagate', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Empty' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
    await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'square', kind: 'mask' });
    const error = await api.propagation.run({ projectId: project.id, clipId: clip.id, mode: 'forward' }).catch(toApiErrorShape);
    expect(error).toMatchObject({ code: 'NO_KEYFRAME' });
  });

  it('a run prepared ahead (keyframe edited after the preparation) saves the same masks as one that was not', async () => {
    const { api } = services;
    const edited = squareMask(0).map((value, i) => (i % W < squareX(0) + 20 ? 0 : value));
    const masksAfterRun = async (prepareFirst: boolean) => {
      const project = await api.projects.create({ name: prepareFirst ? 'Prepared' : 'Cold' });
      const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
      const square = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'square', kind: 'mask' });
      const at = { projectId: project.id, clipId: clip.id };
      await api.annotations.putMask({ ...at, objectId: square.id, frameIndex: 0, mask: squareMask(0) });
      const request = { ...at, mode: 'forward' as const, fromFrame: 0, toFrame: 5, stream: 'pixels' };
      if (prepareFirst) {
        expect(await api.propagation.prepare(request)).toEqual({ prepared: true });
        expect(await api.propagation.prepare({ ...request, mode: 'fill' })).toEqual({ prepared: false });
      }
      await api.annotations.putMask({ ...at, objectId: square.id, frameIndex: 0, mask: edited });
      await api.propagation.run(request);
      const masks: number[][] = [];
      for (let frameIndex = 1; frameIndex <= 5; frameIndex++) {
        masks.push(Array.from((await api.annotations.getFrame({ ...at, frameIndex })).annotations[0].mask!));
      }
      return masks;
    };
    const prepared = await masksAfterRun(true);
    expect(prepared).toEqual(await masksAfterRun(false));
    expect(prepared[0].some(Boolean)).toBe(true);
  }, 60_000);

  it('prepares nothing for a clip without keyframes', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Nothing to prepare' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
    await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'square', kind: 'mask' });
    expect(await api.propagation.prepare({ projectId: project.id, clipId: clip.id, mode: 'forward' })).toEqual({ prepared: false });
  });
});
