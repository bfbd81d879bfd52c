import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../store/projectStore.ts';
import type { ImportedAnnotations } from './annotationSource.ts';
import { digest, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { encodeImportedAnnotations, type EncodedImport } from './importEncoding.ts';
import { importIntoProject, projectAnnotationSource } from './projectAnnotationSource.ts';

let folder: string;
let store: ProjectStore;
let clipId: string;

/** The source as files read for the test clip (read and encoded as `readAnnotationsForClip` does). */
function asImported(source: ReturnType<typeof syntheticClip>, overrides: Partial<ImportedAnnotations> = {}): EncodedImport {
  return encodeImportedAnnotations(asFiles(source, overrides), store.getClip(clipId)!);
}

function asFiles(source: ReturnType<typeof syntheticClip>, overrides: Partial<ImportedAnnotations> = {}): ImportedAnnotations {
  return {
    ...source,
    annotationsAt: source.annotationsAt.bind(source),
    format: 'davis',
    origin: '/data/test',
    frameIndices: Array.from({ length: source.frameCount }, (_, i) => i),
    exactFrameCount: false,
    warnings: [],
    ...overrides,
  };
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'project-annotations-'));
  store = ProjectStore.create(join(folder, 'p.correspond'), { name: 'p' });
  clipId = store.addClip({ name: 'dance twirl.mp4', sourcePath: '/v.mp4', sourceKind: 'video', fps: 25, width: 32, height: 24, frameCount: 9 }).id;
});
afterEach(() => {
  store.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('ProjectStore ⇄ annotation sources', () => {
  it('imports into one clip with keyframes as user annotations and the rest under one finished import run', () => {
    const source = syntheticClip({ withVoid: true, withPart: true, withKeypoints: true });
    const result = importIntoProject(store, clipId, asImported(source));
    expect(result.objects.map((o) => [o.name, o.kind, o.paletteIndex])).toEqual([['dancer', 'mask', 1], ['dog', 'mask', 3], ['void', 'mask', 255], ['parts', 'part', 4], ['person', 'keypoints', 5]]);
    expect([result.frames, result.annotations, result.keyframes]).toEqual([9, 45, 15]);
    expect(store.listRuns(clipId)).toMatchObject([{ id: result.runId, status: 'finished', params: { imported: 'davis', origin: '/data/test' } }]);
    // Reading the clip back as a source gives the same annotations, keyframe flags included.
    const back = projectAnnotationSource(store, clipId);
    expect(back.name).toBe('dance twirl.mp4');
    expect(digest(back)).toEqual(digest(source));
  });

  it('clears the clip\'s undo history, whose steps would not apply on top of the import', () => {
    const step = store.history.begin(clipId, 'edit', 'add "old"');
    const old = store.addObject({ clipId, name: 'old', kind: 'mask' });
    store.history.recordCreated(step, { target: 'object', objectId: old.id });
    store.history.finish(step, 'add "old"');
    expect(store.history.status(clipId).undo?.label).toBe('add "old"');
    importIntoProject(store, clipId, asImported(syntheticClip({})), { replace: true });
    expect(store.history.list(clipId)).toEqual([]);
  });

  it('imports nothing when a frame fails half-way (one transaction)', () => {
    const source = syntheticClip({ withKeypoints: true });
    const annotationsAt = source.annotationsAt.bind(source);
    source.annotationsAt = (frame) => {
      if (frame === 6) throw new Error('/data/test/00006.png: corrupt or truncated PNG');
      return annotationsAt(frame);
    };
    expect(() => importIntoProject(store, clipId, asImported(source))).toThrow(/00006\.png: corrupt/);
    expect(store.listObjects(clipId)).toEqual([]);
    expect(store.listRuns(clipId)).toEqual([]);
    expect(store.listAnnotationsForFrame(clipId, 0)).toEqual([]);
  });

  it('refuses a size or frame-count mismatch before writing, naming the files', () => {
    const source = syntheticClip();
    expect(() => importIntoProject(store, clipId, asImported(source, { width: 854 }))).toThrow(/\/data\/test: annotations are 854×24, clip "dance twirl\.mp4" is 32×24/);
    expect(() => importIntoProject(store, clipId, asImported(source, { frameCount: 12 }))).toThrow(/\/data\/test: has frames up to 11, clip "dance twirl\.mp4" has 9 frames \(0\.\.8\)/);
    expect(() => importIntoProject(store, clipId, asImported(source, { frameCount: 8, exactFrameCount: true }))).toThrow(/has 8 frames, clip .* has 9 frames/);
    expect(store.listObjects(clipId)).toEqual([]);
  });

  it('gives blank names from files a usable name and cuts long ones to the store limit', () => {
    const source = syntheticClip();
    const renamed = { ...source, objects: [{ ...source.objects[0], name: '   ' }, { ...source.objects[1], name: 'x'.repeat(300) }] };
    const result = importIntoProject(store, clipId, asImported(renamed as ReturnType<typeof syntheticClip>));
    expect(result.objects.map((o) => o.name)).toEqual(['object 1', 'x'.repeat(200)]);
  });

  it('adds beside existing objects (moving a taken palette index) or replaces them', () => {
    store.addObject({ clipId, name: 'existing', kind: 'mask', paletteIndex: 1 });
    const added = importIntoProject(store, clipId, asImported(syntheticClip()));
    expect(added.objects.map((o) => o.paletteIndex)).toEqual([2, 3]);
    expect(added.warnings).toEqual(['object "dancer" got palette index 2: 1 is used by another object of the clip']);
    const replaced = importIntoProject(store, clipId, asImported(syntheticClip()), { replace: true });
    expect(replaced.objects.map((o) => o.paletteIndex)).toEqual([1, 3]);
    expect(store.listObjects(clipId).map((o) => o.name)).toEqual(['dancer', 'dog']);
  });
});
