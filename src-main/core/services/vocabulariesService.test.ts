// The annotator's own label sets through the services (issue 21): a 5-joint skeleton and a 3-class part set used by
// objects; renaming is free; removing a joint or class says what it deletes, rewrites the labels and is one undo step.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toApiErrorShape } from '../api/apiError.ts';
import type { LabelSetDefinition } from '../api/contract.ts';
import { ProjectLibrary } from '../store/projectLibrary.ts';
import { ProjectAnnotationsService } from './annotationsService.ts';
import { ProjectHistoryService } from './historyService.ts';
import { ProjectObjectsService } from './objectsService.ts';
import { ProjectVocabulariesService } from './vocabulariesService.ts';

const W = 4;
const H = 2;
let directory: string;
let library: ProjectLibrary;
let projectId: string;
let clipId: string;
let otherClipId: string;
const vocabularies = () => new ProjectVocabulariesService(library);
const objects = () => new ProjectObjectsService(library);
const annotations = () => new ProjectAnnotationsService(library);
const history = () => new ProjectHistoryService(library);

const mouse: LabelSetDefinition = {
  kind: 'skeleton', name: 'mouse', classes: [],
  joints: ['nose', 'left ear', 'right ear', 'neck', 'tail base'].map((name) => ({ name, defaultVisibility: 2 as const })),
  edges: [[0, 3], [1, 3], [2, 3], [3, 4]], flipPairs: [[1, 2]],
};
const fishParts: LabelSetDefinition = {
  kind: 'parts', name: 'fish', joints: [], edges: [], flipPairs: [],
  classes: [{ name: 'background', color: '#000000' }, { name: 'body', color: '#ff0000' }, { name: 'fin', color: '#00ff00' }, { name: 'tail', color: '#0000ff' }],
};
const points = (n: number) => Array.from({ length: n }, (_, j) => ({ x: j + 0.5, y: j, visibility: 2 as const }));

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return toApiErrorShape(error);
  }
  throw new Error('expected a rejection');
}

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'correspond-vocabularies-'));
  library = new ProjectLibrary(directory);
  const store = library.create('lab');
  projectId = store.getProject().id;
  const clip = { sourcePath: '/v/a.mp4', sourceKind: 'video' as const, fps: 10, width: W, height: H, frameCount: 3 };
  clipId = store.addClip({ name: 'a', ...clip }).id;
  otherClipId = store.addClip({ name: 'b', ...clip }).id;
});
afterEach(() => {
  library.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('VocabulariesService', () => {
  it('starts a project with the JHMDB joints and VIP parts, and offers the JHMDB, COCO, VIP and DAVIS presets', async () => {
    const sets = await vocabularies().list({ projectId });
    expect(sets.map((set) => [set.preset, set.kind, set.joints.length || set.classes.length])).toEqual([['jhmdb', 'skeleton', 15], ['vip', 'parts', 20]]);
    const presets = await vocabularies().presets();
    expect(presets.map((p) => [p.preset, p.kind, p.joints.length || p.classes.length])).toEqual([['jhmdb', 'skeleton', 15], ['coco', 'skeleton', 17], ['vip', 'parts', 20], ['davis', 'classes', 0]]);
    expect(presets[1]!.flipPairs).toContainEqual([1, 2]);
  });

  it('refuses bad definitions with a sentence naming the entry', async () => {
    expect(await rejection(vocabularies().create({ projectId, definition: { ...mouse, edges: [[0, 9]] } }))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/edge 0 must be two joint indices within 0\.\.4/) });
    expect(await rejection(vocabularies().create({ projectId, definition: { ...fishParts, classes: Array.from({ length: 257 }, (_, i) => ({ name: `c${i}`, color: '#000000' })) } }))).toMatchObject({ message: expect.stringMatching(/background and 1 to 255 classes/) });
  });

  it('gives objects the joint count and class range of their own set', async () => {
    const skeleton = await vocabularies().create({ projectId, definition: mouse });
    const parts = await vocabularies().create({ projectId, definition: fishParts });
    const animal = await objects().create({ projectId, clipId, name: 'mouse 1', kind: 'keypoints', labelSetId: skeleton.id });
    const fish = await objects().create({ projectId, clipId, name: 'fish 1', kind: 'part', labelSetId: parts.id });
    expect(animal).toMatchObject({ labelSetId: skeleton.id, classIndex: null });
    await annotations().putKeypoints({ projectId, clipId, objectId: animal.id, frameIndex: 0, keypoints: points(5) });
    expect(await rejection(annotations().putKeypoints({ projectId, clipId, objectId: animal.id, frameIndex: 1, keypoints: points(15) }))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/skeleton "mouse" of 5 joints; got 15/) });
    await annotations().putMask({ projectId, clipId, objectId: fish.id, frameIndex: 0, mask: Uint8Array.of(0, 1, 2, 3, 3, 2, 1, 0) });
    expect(await rejection(annotations().putMask({ projectId, clipId, objectId: fish.id, frameIndex: 0, mask: Uint8Array.of(0, 4, 0, 0, 0, 0, 0, 0) }))).toMatchObject({ message: expect.stringMatching(/classes 0\.\.3\); the mask has class 4/) });
    expect((await vocabularies().list({ projectId })).find((s) => s.id === skeleton.id)!.objectCount).toBe(1);
    expect(await rejection(vocabularies().delete({ projectId, labelSetId: skeleton.id }))).toMatchObject({ code: 'IN_USE', message: expect.stringMatching(/used by 1 object \("mouse 1"\)/) });
  });

  it('renames a joint without touching labels, as one undo step', async () => {
    const skeleton = await vocabularies().create({ projectId, definition: mouse });
    const animal = await objects().create({ projectId, clipId, name: 'm', kind: 'keypoints', labelSetId: skeleton.id });
    await annotations().putKeypoints({ projectId, clipId, objectId: animal.id, frameIndex: 0, keypoints: points(5) });
    const renamed = { ...mouse, joints: mouse.joints.map((j, i) => (i === 4 ? { ...j, name: 'tail' } : j)) };
    const change = { projectId, labelSetId: skeleton.id, definition: renamed, sources: [0, 1, 2, 3, 4], clipId };
    expect(await vocabularies().impact(change)).toMatchObject({ removed: [], annotations: 0, message: 'Nothing is deleted.' });
    const updated = await vocabularies().update(change);
    expect(updated.joints[4]!.name).toBe('tail');
    expect((await annotations().getFrame({ projectId, clipId, frameIndex: 0 })).annotations[0]!.keypoints).toEqual(points(5));
    const undone = await history().undo({ projectId, clipId });
    expect(undone).toMatchObject({ label: 'edit label set "mouse"', labelSetsChanged: true });
    expect((await vocabularies().list({ projectId })).find((s) => s.id === skeleton.id)!.joints[4]!.name).toBe('tail base');
  });

  it('removes a joint: says what goes, drops it from every skeleton, and undo brings set and labels back', async () => {
    const skeleton = await vocabularies().create({ projectId, definition: mouse });
    const a = await objects().create({ projectId, clipId, name: 'a', kind: 'keypoints', labelSetId: skeleton.id });
    const b = await objects().create({ projectId, clipId: otherClipId, name: 'b', kind: 'keypoints', labelSetId: skeleton.id });
    await annotations().putKeypoints({ projectId, clipId, objectId: a.id, frameIndex: 0, keypoints: points(5) });
    await annotations().putKeypoints({ projectId, clipId, objectId: a.id, frameIndex: 2, keypoints: points(5) });
    await annotations().putKeypoints({ projectId, clipId: otherClipId, objectId: b.id, frameIndex: 1, keypoints: points(5) });
    // Remove "left ear" (1), move "tail base" before "neck", add "right eye" at the end.
    const definition: LabelSetDefinition = {
      ...mouse,
      joints: [mouse.joints[0]!, mouse.joints[2]!, mouse.joints[4]!, mouse.joints[3]!, { name: 'right eye', defaultVisibility: 2 }],
      edges: [[0, 3], [1, 3], [3, 2]], flipPairs: [],
    };
    const change = { projectId, labelSetId: skeleton.id, definition, sources: [0, 2, 4, 3, null], clipId };
    const impact = await vocabularies().impact(change);
    expect(impact).toMatchObject({ removed: ['left ear'], annotations: 3, objects: 2, otherClips: 1 });
    expect(impact.message).toBe('Removes joint "left ear" and its positions from 3 annotations of 2 objects. The undo history of 1 other clip using it is cleared.');
    await vocabularies().update(change);
    const p = points(5);
    expect((await annotations().getFrame({ projectId, clipId, frameIndex: 2 })).annotations[0]!.keypoints).toEqual([p[0], p[2], p[4], p[3], { x: 0, y: 0, visibility: 0 }]);
    expect((await annotations().getFrame({ projectId, clipId: otherClipId, frameIndex: 1 })).annotations[0]!.keypoints).toHaveLength(5);
    expect((await history().status({ projectId, clipId: otherClipId })).canUndo).toBe(false);
    await history().undo({ projectId, clipId });
    expect((await vocabularies().list({ projectId })).find((s) => s.id === skeleton.id)!.joints.map((j) => j.name)).toEqual(mouse.joints.map((j) => j.name));
    expect((await annotations().getFrame({ projectId, clipId, frameIndex: 2 })).annotations[0]!.keypoints).toEqual(p);
    expect((await annotations().getFrame({ projectId, clipId: otherClipId, frameIndex: 1 })).annotations[0]!.keypoints).toEqual(p);
    await history().redo({ projectId, clipId });
    expect((await vocabularies().list({ projectId })).find((s) => s.id === skeleton.id)!.joints).toHaveLength(5);
    expect((await annotations().getFrame({ projectId, clipId, frameIndex: 0 })).annotations[0]!.keypoints![4]).toEqual({ x: 0, y: 0, visibility: 0 });
  });

  it('removes a part class: its pixels become background, later classes move down', async () => {
    const parts = await vocabularies().create({ projectId, definition: fishParts });
    const fish = await objects().create({ projectId, clipId, name: 'fish', kind: 'part', labelSetId: parts.id });
    await annotations().putMask({ projectId, clipId, objectId: fish.id, frameIndex: 0, mask: Uint8Array.of(0, 1, 2, 3, 3, 2, 1, 0) });
    const definition = { ...fishParts, classes: [fishParts.classes[0]!, fishParts.classes[1]!, fishParts.classes[3]!] };
    const change = { projectId, labelSetId: parts.id, definition, sources: [0, 1, 3], clipId };
    expect((await vocabularies().impact(change)).message).toBe('Removes class "fin" and its pixels (they become background) from 1 annotation of 1 object.');
    await vocabularies().update(change);
    expect(Array.from((await annotations().getFrame({ projectId, clipId, frameIndex: 0 })).annotations[0]!.mask!)).toEqual([0, 1, 0, 2, 2, 0, 1, 0]);
    expect(await rejection(vocabularies().update({ ...change, definition: fishParts, sources: [1, 0, 2, null] }))).toMatchObject({ message: expect.stringMatching(/background; it stays first/) });
    await history().undo({ projectId, clipId });
    expect(Array.from((await annotations().getFrame({ projectId, clipId, frameIndex: 0 })).annotations[0]!.mask!)).toEqual([0, 1, 2, 3, 3, 2, 1, 0]);
  });

  it('gives mask objects a class of an object-class set and takes it away when the class is removed', async () => {
    const classes = await vocabularies().create({ projectId, definition: { kind: 'classes', name: 'traffic', classes: [{ name: 'car', color: '#ff0000' }, { name: 'bus', color: '#00ff00' }], joints: [], edges: [], flipPairs: [] } });
    const car = await objects().create({ projectId, clipId, name: 'car 1', kind: 'mask', labelSetId: classes.id, classIndex: 0 });
    const bus = await objects().create({ projectId, clipId, name: 'bus 1', kind: 'mask' });
    expect(await objects().update({ projectId, objectId: bus.id, labelSetId: classes.id, classIndex: 1 })).toMatchObject({ classIndex: 1 });
    const change = { projectId, labelSetId: classes.id, definition: { ...classes, classes: [classes.classes[1]!] }, sources: [1], clipId };
    expect((await vocabularies().impact(change)).message).toBe('Removes class "car" from 2 objects.');
    await vocabularies().update(change);
    const listed = new Map((await objects().list({ projectId, clipId })).map((o) => [o.id, o]));
    expect(listed.get(car.id)).toMatchObject({ classIndex: null });
    expect(listed.get(bus.id)).toMatchObject({ classIndex: 0 });
    await history().undo({ projectId, clipId });
    expect((await objects().list({ projectId, clipId })).map((o) => o.classIndex)).toEqual([0, 1]);
  });
});
