// Two windows (editing sessions) on one project, through the services as the app calls them: a save based on a
// revision the other window has since changed is refused instead of silently overwriting it, and undo in one window
// does not take back the other window's step without asking.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiErrorShape } from '../api/apiError.ts';
import type { CorrespondApi } from '../api/contract.ts';
import { createServices, type Services } from '../createServices.ts';
import { makeColourClip, makeTempFolder } from '../../../tests/support/testClips.ts';

const appRoot = path.resolve(import.meta.dirname, '../../..');
let folder: string;
let services: Services;
let api: CorrespondApi;
let ids: { projectId: string; clipId: string };
let width = 0;
let height = 0;

function box(left: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = 4; y < 20; y++) mask.fill(1, y * width + left, y * width + left + 16);
  return mask;
}

async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return toApiErrorShape(error);
  }
  throw new Error('the call was not refused');
}

beforeAll(async () => {
  folder = makeTempFolder('correspond-concurrent-editing-');
  services = createServices({
    libraryDirectory: path.join(folder, 'library'), host: 'browser', appRoot,
    describeComputeDevice: () => ({ device: 'cpu', label: 'CPU · test', reason: 'test', threads: 1 }),
  });
  api = services.api;
  const project = await api.projects.create({ name: 'Two windows' });
  const clip = await api.clips.import({ projectId: project.id, sourcePath: makeColourClip(folder, 'mkv', { name: 'two', frames: 12 }) });
  ids = { projectId: project.id, clipId: clip.id };
  ({ width, height } = clip);
});

afterAll(() => {
  services.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('two editing sessions on one project', () => {
  it('refuses a save based on a stale revision, keeps the other window\'s label, and accepts the save after a reload', async () => {
    const windowA = randomUUID();
    const windowB = randomUUID();
    const object = await api.objects.create({ ...ids, name: 'Car', kind: 'mask', sessionId: windowA });
    const loadedByA = await api.annotations.getFrame({ ...ids, frameIndex: 3 });
    const loadedByB = await api.annotations.getFrame({ ...ids, frameIndex: 3 });
    expect(loadedByA.revisions?.[object.id] ?? 0).toBe(0);

    const savedByB = await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 3, mask: box(30), baseRevision: loadedByB.revisions?.[object.id] ?? 0, sessionId: windowB });
    const stale = await refusal(
      api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 3, mask: box(2), baseRevision: loadedByA.revisions?.[object.id] ?? 0, sessionId: windowA }),
    );
    expect(stale.code).toBe('STALE_REVISION');
    expect(stale.message).toBe('"Car" on frame 3 was changed in another window (or by a run) since you loaded it: your edit was not saved, and the frame shows the saved labels.');
    const now = await api.annotations.getFrame({ ...ids, frameIndex: 3 });
    expect(now.annotations[0].mask).toEqual(box(30));
    expect(now.revisions?.[object.id]).toBe(savedByB.revision);
    // The refused save left no undo step: Undo in B still reverts B's own edit.
    expect((await api.history.status({ ...ids, sessionId: windowB })).undoLabel).toBe('mask on frame 3');

    const retried = await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 3, mask: box(2), baseRevision: now.revisions![object.id], sessionId: windowA });
    expect(retried.revision).toBeGreaterThan(savedByB.revision);
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 3 })).annotations[0].mask).toEqual(box(2));
  });

  it('moves a revision forward on every write, undo and erase included, so an old revision never matches again', async () => {
    const session = randomUUID();
    const object = await api.objects.create({ ...ids, name: 'Bike', kind: 'mask', sessionId: session });
    const first = await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 5, mask: box(4), baseRevision: 0, sessionId: session });
    const erased = await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 5, mask: new Uint8Array(width * height), baseRevision: first.revision, sessionId: session });
    expect(erased.revision).toBeGreaterThan(first.revision);
    await api.history.undo({ ...ids, sessionId: session });
    const afterUndo = (await api.annotations.getFrame({ ...ids, frameIndex: 5 })).revisions![object.id];
    expect(afterUndo).toBeGreaterThan(erased.revision);
    for (const base of [0, first.revision, erased.revision]) {
      expect((await refusal(api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 5, mask: box(8), baseRevision: base }))).code).toBe('STALE_REVISION');
    }
    const joints = await api.objects.create({ ...ids, name: 'Rider', kind: 'keypoints', sessionId: session });
    const skeleton = Array.from({ length: 15 }, (_, joint) => ({ x: 4 + joint, y: 6, visibility: 2 as const }));
    await api.annotations.putKeypoints({ ...ids, objectId: joints.id, frameIndex: 5, keypoints: skeleton, baseRevision: 0, sessionId: session });
    expect((await refusal(api.annotations.putKeypoints({ ...ids, objectId: joints.id, frameIndex: 5, keypoints: skeleton, baseRevision: 0 }))).code).toBe('STALE_REVISION');
  });

  it('asks before one window undoes or redoes the other window\'s step, and undoes it when confirmed', async () => {
    const windowA = randomUUID();
    const windowB = randomUUID();
    const object = await api.objects.create({ ...ids, name: 'Dog', kind: 'mask', sessionId: windowA });
    await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 8, mask: box(10), tool: 'brush', sessionId: windowA });
    await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 9, mask: box(12), tool: 'polygon', sessionId: windowB });

    expect(await api.history.status({ ...ids, sessionId: windowA })).toMatchObject({ canUndo: true, undoLabel: 'polygon on frame 9', undoByOtherSession: true });
    expect((await api.history.status({ ...ids, sessionId: windowB })).undoByOtherSession).toBeUndefined();
    const asked = await refusal(api.history.undo({ ...ids, sessionId: windowA }));
    expect(asked).toEqual({ code: 'OTHER_SESSION', message: 'The last change on this clip, "polygon on frame 9", was made in another window. Undo it anyway?' });
    // Nothing was undone: B's polygon is still there.
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 9 })).annotations).toHaveLength(1);

    // B undoes its own step; then A's newest step is its own brush stroke, which it undoes without a question.
    expect((await api.history.undo({ ...ids, sessionId: windowB })).label).toBe('polygon on frame 9');
    expect((await refusal(api.history.redo({ ...ids, sessionId: windowA }))).code).toBe('OTHER_SESSION');
    expect((await api.history.undo({ ...ids, sessionId: windowA })).label).toBe('brush on frame 8');

    // A new edit of B's, undone from A after confirming.
    await api.annotations.putMask({ ...ids, objectId: object.id, frameIndex: 9, mask: box(14), tool: 'brush', sessionId: windowB });
    const confirmed = await api.history.undo({ ...ids, sessionId: windowA, confirmOtherSession: true });
    expect(confirmed.label).toBe('brush on frame 9');
    expect((await api.annotations.getFrame({ ...ids, frameIndex: 9 })).annotations).toEqual([]);
  });

  it('renames, recolours and hides an object from a window: the session names the step, it is no field of the object', async () => {
    const window = randomUUID();
    const object = await api.objects.create({ ...ids, name: 'Cat', kind: 'mask', sessionId: window });
    expect(await api.objects.update({ projectId: ids.projectId, objectId: object.id, hidden: true, sessionId: window })).toMatchObject({ hidden: true });
    expect(await api.objects.update({ projectId: ids.projectId, objectId: object.id, name: 'Kitten', paletteIndex: 7, sessionId: window })).toMatchObject({ name: 'Kitten', paletteIndex: 7 });
    const status = await api.history.status({ ...ids, sessionId: window });
    expect(status).toMatchObject({ canUndo: true, undoLabel: 'rename "Cat" to "Kitten", recolour "Cat"' });
    expect(status.undoByOtherSession).toBeUndefined();
  });
});
