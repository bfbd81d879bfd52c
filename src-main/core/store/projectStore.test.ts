import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from './projectStore.ts';
import { StoreError } from './storeError.ts';
import { currentSchemaVersion } from './migrations.ts';
import { RUN_INTERRUPTED_MESSAGE, type ClipRecord, type NewClip } from './types.ts';

let directory: string;
let store: ProjectStore;

const video: NewClip = {
  name: 'walk.mp4',
  sourcePath: '/videos/walk.mp4',
  sourceKind: 'video',
  fps: 30,
  width: 4,
  height: 2,
  frameCount: 5,
  sourceDetails: { codec: 'h264', durationSeconds: 0.2 },
};
const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9);

function expectStoreError(action: () => unknown, code: string, messagePart?: string | RegExp): StoreError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  const error = caught as StoreError;
  expect(error.code).toBe(code);
  if (messagePart !== undefined) expect(error.message).toMatch(messagePart);
  return error;
}

function rowCount(table: string): number {
  const db = new Database(store.filePath, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'correspond-store-'));
  store = ProjectStore.create(path.join(directory, 'p.correspond'), { name: '  My project  ' });
});

afterEach(() => {
  store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('ProjectStore basics', () => {
  it('creates a project with a trimmed name, a UUID and the current schema version', () => {
    const project = store.getProject();
    expect(project.name).toBe('My project');
    expect(project.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(project.createdAt).toBe(project.updatedAt);
    expect(store.schemaVersion).toBe(currentSchemaVersion);
    expect(store.migratedFrom).toBeNull();
  });

  it('renames the project and bumps updatedAt', async () => {
    const before = store.getProject();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renamed = store.renameProject('Renamed');
    expect(renamed.name).toBe('Renamed');
    expect(renamed.updatedAt > before.updatedAt).toBe(true);
    expectStoreError(() => store.renameProject('   '), 'INVALID_INPUT', /must not be empty.*p\.correspond/);
    expectStoreError(() => store.renameProject('x'.repeat(201)), 'INVALID_INPUT', /limit is 200/);
  });

  it('refuses to create over an existing file', () => {
    expectStoreError(() => ProjectStore.create(store.filePath, { name: 'again' }), 'ALREADY_EXISTS', /p\.correspond already exists/);
  });

  it('keeps data across close and reopen', () => {
    const clip = store.addClip(video);
    store.close();
    expectStoreError(() => store.listClips(), 'CLOSED', /is closed/);
    store = ProjectStore.open(store.filePath);
    expect(store.getClip(clip.id)).toEqual(clip);
  });

  it('uses WAL, full synchronous commits, enforced foreign keys and a busy timeout', () => {
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    const patient = ProjectStore.open(store.filePath, { busyTimeoutMs: 250 });
    expect((patient as unknown as { db: Database.Database }).db.pragma('busy_timeout', { simple: true })).toBe(250);
    patient.close();
  });
});

describe('clips and thumbnails', () => {
  it('adds, lists, gets and removes clips with their source details', () => {
    const first = store.addClip(video);
    const images = store.addClip({
      ...video,
      name: 'frames',
      sourceKind: 'images',
      sourcePath: '/frames',
      frameCount: 2,
      imageFiles: ['/frames/a.png', '/frames/b.png'],
      sourceDetails: undefined,
    });
    expect(first.imageFiles).toBeNull();
    expect(first.sourceDetails).toEqual({ codec: 'h264', durationSeconds: 0.2 });
    expect(images.imageFiles).toEqual(['/frames/a.png', '/frames/b.png']);
    expect(store.listClips().map((clip) => clip.id)).toEqual([first.id, images.id]);
    expect(store.removeClip(first.id)).toBe(true);
    expect(store.removeClip(first.id)).toBe(false);
    expect(store.getClip(first.id)).toBeUndefined();
  });

  it('rejects clips with bad fields, naming the field', () => {
    expectStoreError(() => store.addClip({ ...video, fps: 0 }), 'INVALID_INPUT', /fps must be a finite number > 0/);
    expectStoreError(() => store.addClip({ ...video, sourceKind: 'gif' as 'video' }), 'INVALID_INPUT', /sourceKind must be one of/);
    expectStoreError(() => store.addClip({ ...video, width: 2.5 }), 'INVALID_INPUT', /width must be an integer/);
    expectStoreError(() => store.addClip({ ...video, sourceKind: 'images', imageFiles: ['/a.png'] }), 'INVALID_INPUT', /1 entries but the clip has 5/);
    expectStoreError(() => store.addClip({ ...video, imageFiles: [] }), 'INVALID_INPUT', /only for image-sequence/);
    expect(store.listClips()).toEqual([]);
  });

  it('stores, replaces and lists JPEG thumbnails per frame', () => {
    const clip = store.addClip(video);
    store.putThumbnails(clip.id, [
      { frameIndex: 3, jpeg },
      { frameIndex: 0, jpeg },
    ]);
    const replacement = Uint8Array.of(0xff, 0xd8, 9);
    store.putThumbnails(clip.id, [{ frameIndex: 3, jpeg: replacement }]);
    expect(store.listThumbnailFrames(clip.id)).toEqual([0, 3]);
    expect(Array.from(store.getThumbnail(clip.id, 3)!)).toEqual([0xff, 0xd8, 9]);
    expect(store.getThumbnail(clip.id, 1)).toBeUndefined();
  });

  it('stores no thumbnail of a batch when one of them is bad', () => {
    const clip = store.addClip(video);
    expectStoreError(
      () => store.putThumbnails(clip.id, [{ frameIndex: 0, jpeg }, { frameIndex: 1, jpeg: Uint8Array.of(1, 2) }]),
      'INVALID_INPUT',
      /frame 1 is not JPEG data/,
    );
    expectStoreError(() => store.putThumbnails(clip.id, [{ frameIndex: 5, jpeg }]), 'INVALID_INPUT', /frameIndex must be an integer in 0..4/);
    expectStoreError(() => store.putThumbnails('missing', [{ frameIndex: 0, jpeg }]), 'NOT_FOUND', /clip missing does not exist/);
    expect(store.listThumbnailFrames(clip.id)).toEqual([]);
  });
});

describe('objects and annotations', () => {
  let clip: ClipRecord;
  beforeEach(() => {
    clip = store.addClip(video);
  });

  it('gives new objects the first free palette index and refuses a taken one', () => {
    const first = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const third = store.addObject({ clipId: clip.id, name: 'dog', kind: 'mask', paletteIndex: 3 });
    const second = store.addObject({ clipId: clip.id, name: 'ball', kind: 'mask' });
    expect([first.paletteIndex, second.paletteIndex, third.paletteIndex]).toEqual([1, 2, 3]);
    expectStoreError(() => store.addObject({ clipId: clip.id, name: 'cat', kind: 'mask', paletteIndex: 2 }), 'INVALID_INPUT', /already used by object 'ball'/);
    expect(store.listObjects(clip.id).map((object) => object.name)).toEqual(['person', 'dog', 'ball']);
  });

  it('bumps an object\'s revision on a frame at every write, delete and cascade, and forgets a removed clip\'s', () => {
    const object = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const other = store.addObject({ clipId: clip.id, name: 'dog', kind: 'mask' });
    const labels = { width: 4, height: 2, data: Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 0) };
    expect(store.annotationRevision(clip.id, object.id, 2)).toBe(0);
    store.putAnnotation({ objectId: object.id, frameIndex: 2, source: 'user', kind: 'labels', labels });
    store.putAnnotation({ objectId: object.id, frameIndex: 2, source: 'user', kind: 'labels', labels });
    store.putAnnotation({ objectId: other.id, frameIndex: 2, source: 'user', kind: 'labels', labels });
    expect(Object.fromEntries(store.annotationRevisions(clip.id, 2))).toEqual({ [object.id]: 2, [other.id]: 1 });
    store.deleteAnnotation(object.id, 2);
    expect(store.annotationRevision(clip.id, object.id, 2)).toBe(3);
    store.deleteObject(other.id);
    expect(store.annotationRevision(clip.id, other.id, 2)).toBe(2);
    expect(store.removeClip(clip.id)).toBe(true);
    expect(rowCount('annotation_revision')).toBe(0);
  });

  it('updates objects field by field and validates the frame range', () => {
    const object = store.addObject({ clipId: clip.id, name: 'person', kind: 'part' });
    expect(object).toMatchObject({ firstFrame: 0, lastFrame: null, hidden: false, kind: 'part' });
    const updated = store.updateObject(object.id, { name: 'runner', hidden: true, firstFrame: 1, lastFrame: 3 });
    expect(updated).toMatchObject({ name: 'runner', hidden: true, firstFrame: 1, lastFrame: 3, paletteIndex: 1 });
    expect(store.getObject(object.id)).toEqual(updated);
    expectStoreError(() => store.updateObject(object.id, { lastFrame: 0 }), 'INVALID_INPUT', /lastFrame must be an integer in 1..4/);
    expectStoreError(() => store.updateObject(object.id, { colour: 'red' } as never), 'INVALID_INPUT', /unknown fields: colour/);
    expectStoreError(() => store.updateObject('nope', { name: 'x' }), 'NOT_FOUND', /object nope/);
  });

  it('round-trips mask, part and keypoint annotations', () => {
    const mask = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const parts = store.addObject({ clipId: clip.id, name: 'body parts', kind: 'part' });
    const pose = store.addObject({ clipId: clip.id, name: 'pose', kind: 'keypoints' });
    const maskData = Uint8Array.of(0, 1, 1, 0, 1, 1, 1, 1);
    const partData = Uint8Array.of(0, 3, 3, 14, 2, 2, 0, 0);
    const keypoints = [
      { x: 1.25, y: 0.5, visibility: 2 as const },
      { x: 3, y: 1, visibility: 1 as const },
    ];
    store.putAnnotation({ objectId: mask.id, frameIndex: 2, source: 'user', kind: 'labels', labels: { width: 4, height: 2, data: maskData } });
    store.putAnnotation({ objectId: parts.id, frameIndex: 2, source: 'user', kind: 'labels', labels: { width: 4, height: 2, data: partData }, confidence: 0.5 });
    const put = store.putAnnotation({ objectId: pose.id, frameIndex: 2, source: 'user', kind: 'keypoints', keypoints });
    const read = store.getAnnotation(pose.id, 2);
    expect(read).toEqual(put);
    const frame = store.listAnnotationsForFrame(clip.id, 2);
    expect(frame.map((annotation) => annotation.objectId)).toEqual([mask.id, parts.id, pose.id]);
    expect(frame[0]).toMatchObject({ kind: 'labels', source: 'user', runId: null, confidence: null, clipId: clip.id });
    expect(Array.from((frame[0] as { labels: { data: Uint8Array } }).labels.data)).toEqual(Array.from(maskData));
    expect(Array.from((frame[1] as { labels: { data: Uint8Array } }).labels.data)).toEqual(Array.from(partData));
    expect(frame[1]!.confidence).toBe(0.5);
    expect(frame[2]).toMatchObject({ kind: 'keypoints', keypoints });
    expect(store.listAnnotationsForFrame(clip.id, 3)).toEqual([]);
  });

  it('replaces an annotation in place and deletes it', () => {
    const object = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const labels = (value: number) => ({ width: 4, height: 2, data: new Uint8Array(8).fill(value) });
    store.putAnnotation({ objectId: object.id, frameIndex: 4, source: 'user', kind: 'labels', labels: labels(0) });
    store.putAnnotation({ objectId: object.id, frameIndex: 1, source: 'user', kind: 'labels', labels: labels(1) });
    store.putAnnotation({ objectId: object.id, frameIndex: 4, source: 'user', kind: 'labels', labels: labels(1) });
    const listed = store.listAnnotationsForObject(object.id);
    expect(listed.map((annotation) => annotation.frameIndex)).toEqual([1, 4]);
    expect(Array.from((listed[1] as { labels: { data: Uint8Array } }).labels.data)).toEqual(Array(8).fill(1));
    expect(store.deleteAnnotation(object.id, 4)).toBe(true);
    expect(store.deleteAnnotation(object.id, 4)).toBe(false);
    expect(store.getAnnotation(object.id, 4)).toBeUndefined();
  });

  it('ties propagated annotations to a run of the same clip', () => {
    const object = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const model = store.registerModel({ name: 'r18', role: 'semantic', filePath: '/m.onnx', sha256: 'AB'.repeat(32), stride: 8, channels: 512 });
    const run = store.startRun({ clipId: clip.id, params: { topK: 10 }, modelId: model.id, direction: 'forward' });
    const labels = { width: 4, height: 2, data: new Uint8Array(8) };
    const annotation = store.putAnnotation({ objectId: object.id, frameIndex: 1, source: 'propagated', runId: run.id, confidence: 0.8, kind: 'labels', labels });
    expect(annotation).toMatchObject({ source: 'propagated', runId: run.id, confidence: 0.8 });
    store.putAnnotation({ objectId: object.id, frameIndex: 0, source: 'user', kind: 'labels', labels });
    expect(store.listAnnotationsForObject(object.id).map((a) => a.frameIndex)).toEqual([0, 1]);
    expect(store.listAnnotationsForObject(object.id, 'user').map((a) => a.frameIndex)).toEqual([0]);
    expect(store.listAnnotationsForObject(object.id, 'propagated').map((a) => a.frameIndex)).toEqual([1]);
    expectStoreError(() => store.putAnnotation({ objectId: object.id, frameIndex: 1, source: 'propagated', kind: 'labels', labels }), 'INVALID_INPUT', /need the runId/);
    expectStoreError(() => store.putAnnotation({ objectId: object.id, frameIndex: 1, source: 'user', runId: run.id, kind: 'labels', labels }), 'INVALID_INPUT', /no runId/);
    const otherClip = store.addClip({ ...video, name: 'other' });
    const otherRun = store.startRun({ clipId: otherClip.id, params: {}, modelId: null, direction: 'both' });
    expectStoreError(
      () => store.putAnnotation({ objectId: object.id, frameIndex: 1, source: 'propagated', runId: otherRun.id, kind: 'labels', labels }),
      'INVALID_INPUT',
      /belongs to another clip/,
    );
  });

  it('rejects annotations that do not fit the object or the clip', () => {
    const mask = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const pose = store.addObject({ clipId: clip.id, name: 'pose', kind: 'keypoints' });
    const put = (input: object) => () => store.putAnnotation({ objectId: mask.id, frameIndex: 0, source: 'user', ...input } as never);
    expectStoreError(put({ kind: 'labels', labels: { width: 2, height: 4, data: new Uint8Array(8) } }), 'INVALID_INPUT', /labels are 2×4 but clip 'walk.mp4' is 4×2/);
    expectStoreError(put({ kind: 'labels', labels: { width: 4, height: 2, data: new Uint8Array(8).fill(2) } }), 'INVALID_INPUT', /takes 0\/1 labels/);
    expectStoreError(put({ kind: 'keypoints', keypoints: [] }), 'INVALID_INPUT', /takes labels, not keypoints/);
    expectStoreError(put({ kind: 'labels', frameIndex: 5, labels: { width: 4, height: 2, data: new Uint8Array(8) } }), 'INVALID_INPUT', /frameIndex/);
    expectStoreError(put({ kind: 'labels', confidence: 1.5, labels: { width: 4, height: 2, data: new Uint8Array(8) } }), 'INVALID_INPUT', /confidence must be a number in 0..1/);
    expectStoreError(
      () => store.putAnnotation({ objectId: pose.id, frameIndex: 0, source: 'user', kind: 'keypoints', keypoints: [{ x: 1, y: 2, visibility: 3 as 2 }] }),
      'INVALID_INPUT',
      /keypoints\[0\]\.visibility must be 0, 1 or 2/,
    );
    expectStoreError(() => store.putAnnotation({ objectId: 'gone', frameIndex: 0, source: 'user', kind: 'keypoints', keypoints: [] }), 'NOT_FOUND', /object gone/);
    expect(store.listAnnotationsForObject(mask.id)).toEqual([]);
  });

  it('merges frame state updates', () => {
    expect(store.setFrameState(clip.id, 2, { confidence: 0.4 })).toEqual({ clipId: clip.id, frameIndex: 2, reviewed: false, confidence: 0.4 });
    expect(store.setFrameState(clip.id, 2, { reviewed: true })).toEqual({ clipId: clip.id, frameIndex: 2, reviewed: true, confidence: 0.4 });
    store.setFrameState(clip.id, 0, { reviewed: true, confidence: null });
    expect(store.listFrameStates(clip.id).map((state) => [state.frameIndex, state.reviewed, state.confidence])).toEqual([
      [0, true, null],
      [2, true, 0.4],
    ]);
    expectStoreError(() => store.setFrameState(clip.id, 9, { reviewed: true }), 'INVALID_INPUT', /frameIndex/);
  });
});

describe('runs and models', () => {
  it('records a run from start to finish, once', () => {
    const clip = store.addClip(video);
    const run = store.startRun({ clipId: clip.id, params: { radiusCells: 12, nested: { a: [1, 2] } }, modelId: null, direction: 'backward' });
    expect(run).toMatchObject({ status: 'running', finishedAt: null, errorMessage: null, params: { radiusCells: 12, nested: { a: [1, 2] } } });
    const failed = store.finishRun(run.id, 'failed', 'out of memory');
    expect(failed).toMatchObject({ status: 'failed', errorMessage: 'out of memory' });
    expect(failed.finishedAt).not.toBeNull();
    expectStoreError(() => store.finishRun(run.id, 'finished'), 'INVALID_INPUT', /already ended as 'failed'/);
    expectStoreError(() => store.finishRun('nope', 'finished'), 'NOT_FOUND');
    expectStoreError(() => store.startRun({ clipId: clip.id, params: {}, modelId: 'unknown', direction: 'forward' }), 'NOT_FOUND', /model unknown/);
    expect(store.listRuns(clip.id)).toEqual([failed]);
  });

  it('ends a run a crash left running as interrupted when the project is opened again, keeping its frames', () => {
    const clip = store.addClip(video);
    const object = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const finished = store.startRun({ clipId: clip.id, params: {}, modelId: null, direction: 'forward' });
    store.finishRun(finished.id, 'finished');
    const run = store.startRun({ clipId: clip.id, params: {}, modelId: null, direction: 'forward' });
    for (const frameIndex of [1, 2]) {
      store.putAnnotation({ objectId: object.id, frameIndex, source: 'propagated', runId: run.id, confidence: 0.9, kind: 'labels', labels: { width: 4, height: 2, data: new Uint8Array(8).fill(1) } });
    }
    // What a kill -9 leaves: the run's row still says 'running'.
    store.close();
    store = ProjectStore.open(store.filePath);
    const [first, interrupted] = store.listRuns(clip.id);
    expect(first).toMatchObject({ status: 'finished', errorMessage: null });
    expect(interrupted).toMatchObject({ id: run.id, status: 'cancelled', errorMessage: RUN_INTERRUPTED_MESSAGE });
    expect(interrupted.finishedAt).not.toBeNull();
    expect(store.runFrameCount(run.id)).toBe(2);
  });

  it('registers and removes models, detaching runs that used them', () => {
    const clip = store.addClip(video);
    const model = store.registerModel({ name: 'pixels', role: 'pixels', filePath: '/p.onnx', sha256: 'cd'.repeat(32), metadata: { input: 'rgb' } });
    expect(model).toMatchObject({ stride: null, channels: null, metadata: { input: 'rgb' }, sha256: 'cd'.repeat(32) });
    const run = store.startRun({ clipId: clip.id, params: {}, modelId: model.id, direction: 'forward' });
    expect(store.listModels()).toEqual([model]);
    expect(store.removeModel(model.id)).toBe(true);
    expect(store.listModels()).toEqual([]);
    expect(store.listRuns(clip.id)[0]).toMatchObject({ id: run.id, modelId: null });
    expectStoreError(() => store.registerModel({ name: 'x', role: 'semantic', filePath: '/x', sha256: 'xyz' }), 'INVALID_INPUT', /sha256/);
    expectStoreError(() => store.registerModel({ name: 'x', role: 'coarse' as 'semantic', filePath: '/x', sha256: 'cd'.repeat(32) }), 'INVALID_INPUT', /model role/);
  });
});

describe('cascades, constraints and transactions', () => {
  it('removing a clip removes everything that belongs to it', () => {
    const clip = store.addClip(video);
    const kept = store.addClip({ ...video, name: 'kept' });
    const object = store.addObject({ clipId: clip.id, name: 'person', kind: 'mask' });
    const keptObject = store.addObject({ clipId: kept.id, name: 'person', kind: 'mask' });
    const run = store.startRun({ clipId: clip.id, params: {}, modelId: null, direction: 'forward' });
    const labels = { width: 4, height: 2, data: new Uint8Array(8) };
    store.putAnnotation({ objectId: object.id, frameIndex: 0, source: 'user', kind: 'labels', labels });
    store.putAnnotation({ objectId: object.id, frameIndex: 1, source: 'propagated', runId: run.id, kind: 'labels', labels });
    store.putAnnotation({ objectId: keptObject.id, frameIndex: 0, source: 'user', kind: 'labels', labels });
    store.setFrameState(clip.id, 0, { reviewed: true });
    store.putThumbnails(clip.id, [{ frameIndex: 0, jpeg }]);
    store.removeClip(clip.id);
    expect(rowCount('object')).toBe(1);
    expect(rowCount('annotation')).toBe(1);
    expect(rowCount('propagation_run')).toBe(0);
    expect(rowCount('frame_state')).toBe(0);
    expect(rowCount('thumbnail')).toBe(0);
    expect(store.listAnnotationsForObject(keptObject.id)).toHaveLength(1);
  });

  it('deleting an object removes its annotations only', () => {
    const clip = store.addClip(video);
    const first = store.addObject({ clipId: clip.id, name: 'a', kind: 'keypoints' });
    const second = store.addObject({ clipId: clip.id, name: 'b', kind: 'keypoints' });
    store.putAnnotation({ objectId: first.id, frameIndex: 0, source: 'user', kind: 'keypoints', keypoints: [] });
    store.putAnnotation({ objectId: second.id, frameIndex: 0, source: 'user', kind: 'keypoints', keypoints: [] });
    expect(store.deleteObject(first.id)).toBe(true);
    expect(store.listAnnotationsForFrame(clip.id, 0).map((annotation) => annotation.objectId)).toEqual([second.id]);
  });

  it('the schema itself refuses bad enums, orphans and mismatched payloads', () => {
    const clip = store.addClip(video);
    store.close();
    const db = new Database(path.join(directory, 'p.correspond'));
    db.pragma('foreign_keys = ON');
    const at = new Date().toISOString();
    const insertObject = db.prepare('INSERT INTO object (id, clip_id, name, kind, palette_index, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    expect(() => insertObject.run('o1', clip.id, 'x', 'blob', 1, at)).toThrow(/CHECK constraint failed/);
    expect(() => insertObject.run('o2', 'no-such-clip', 'x', 'mask', 1, at)).toThrow(/FOREIGN KEY constraint failed/);
    insertObject.run('o3', clip.id, 'x', 'mask', 1, at);
    const insertAnnotation = db.prepare(
      `INSERT INTO annotation (clip_id, frame_index, object_id, mask_rle, mask_width, mask_height, keypoints_json, source, run_id, updated_at)
       VALUES (?, 0, 'o3', ?, ?, ?, ?, ?, ?, ?)`,
    );
    expect(() => insertAnnotation.run(clip.id, null, null, null, null, 'user', null, at)).toThrow(/CHECK constraint failed/);
    expect(() => insertAnnotation.run(clip.id, null, null, null, '[]', 'propagated', null, at)).toThrow(/CHECK constraint failed/);
    expect(() => insertAnnotation.run(clip.id, null, null, null, '[]', 'user', 'no-such-run', at)).toThrow(/constraint failed/);
    db.close();
    store = ProjectStore.open(path.join(directory, 'p.correspond'));
  });

  it('turns a raw SQLite constraint failure into a CONSTRAINT StoreError naming the file', () => {
    const clip = store.addClip(video);
    const object = store.addObject({ clipId: clip.id, name: 'a', kind: 'mask' });
    // Rewriting an object's clip would orphan nothing here, but palette 0 is outside the schema's CHECK range.
    const db = (store as unknown as { db: Database.Database }).db;
    const error = expectStoreError(
      () => store.transaction(() => db.prepare('UPDATE object SET palette_index = 0 WHERE id = ?').run(object.id)),
      'CONSTRAINT',
      /CHECK constraint failed.*p\.correspond/,
    );
    expect(error.file).toBe(store.filePath);
  });

  it('rolls back every write of a transaction that throws', () => {
    const clip = store.addClip(video);
    const updatedAt = store.getProject().updatedAt;
    expect(() =>
      store.transaction(() => {
        store.addObject({ clipId: clip.id, name: 'a', kind: 'mask' });
        store.renameProject('during');
        throw new Error('user cancelled');
      }),
    ).toThrow('user cancelled');
    expect(store.listObjects(clip.id)).toEqual([]);
    expect(store.getProject()).toMatchObject({ name: 'My project', updatedAt });
    const value = store.transaction(() => store.addObject({ clipId: clip.id, name: 'b', kind: 'mask' }).name);
    expect(value).toBe('b');
    expectStoreError(() => store.transaction(() => Promise.resolve(1)), 'INVALID_INPUT', /synchronous/);
  });
});
