import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { annotationFormats } from '../../core/formats/annotationSource.ts';
import { digest, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { encodeImportedAnnotations } from '../../core/formats/importEncoding.ts';
import { importIntoProject, projectAnnotationSource } from '../../core/formats/projectAnnotationSource.ts';
import { encodeIndexedPng, encodeRgbPng } from '../../core/formats/png.ts';
import { ProjectStore } from '../../core/store/projectStore.ts';
import { command as exportCommand } from './export.ts';
import { command as importCommand } from './import.ts';

const scratch = mkdtempSync(join(tmpdir(), 'export-cli-'));
const projectFile = join(scratch, 'p.correspond');
let sourceClip: string;
let frameFiles: string[];
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs a command, returning its exit code, the parsed last stdout line and stderr. */
async function run(which: typeof exportCommand, argv: string[]): Promise<{ exitCode: number; result: Record<string, unknown>; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  const exitCode = await which.run(argv);
  vi.restoreAllMocks();
  const last = out.join('').trim().split('\n').at(-1);
  return { exitCode, result: last ? JSON.parse(last) : {}, stderr: err.join('') };
}

function newClip(store: ProjectStore, name: string): string {
  return store.addClip({ name, sourcePath: join(scratch, 'frames'), sourceKind: 'images', fps: 25, width: 32, height: 24, frameCount: 9, imageFiles: frameFiles }).id;
}

beforeAll(() => {
  mkdirSync(join(scratch, 'frames'));
  frameFiles = Array.from({ length: 9 }, (_, i) => {
    const file = join(scratch, 'frames', `${String(i).padStart(3, '0')}.png`);
    writeFileSync(file, encodeRgbPng({ width: 32, height: 24, data: new Uint8Array(32 * 24 * 3).fill(20 * i) }));
    return file;
  });
  const store = ProjectStore.create(projectFile, { name: 'cli' });
  sourceClip = newClip(store, 'dance twirl.mp4');
  // The synthetic clip's frames are fixed here: one keypoints object and one part object, as JHMDB holds one of each.
  const files = { ...syntheticClip({ withPart: true, withKeypoints: true }), format: 'davis' as const, origin: 'test', frameIndices: [...Array(9).keys()], exactFrameCount: false, warnings: [] };
  importIntoProject(store, sourceClip, encodeImportedAnnotations(files, store.getClip(sourceClip)!));
  store.close();
});

describe('correspond export / import', () => {
  for (const format of annotationFormats) {
    it(`round-trips a clip through ${format} files into a new clip`, async () => {
      const out = join(scratch, `out-${format}`);
      const exported = await run(exportCommand, ['--project', projectFile, '--clip', sourceClip, '--format', format, '--out', out]);
      expect(exported.exitCode, exported.stderr).toBe(0);
      expect(exported.result).toMatchObject({ format, out });
      const store = ProjectStore.open(projectFile);
      const target = newClip(store, `back from ${format}`);
      store.close();
      const from = format === 'jhmdb' ? join(out, 'joint_positions/annotated/dance twirl') : out;
      const imported = await run(importCommand, ['--project', projectFile, '--clip', target, '--format', format, '--from', from]);
      expect(imported.exitCode, imported.stderr).toBe(0);
      expect(imported.result).toMatchObject({ format, clipId: target });
      const check = ProjectStore.open(projectFile);
      try {
        const original = projectAnnotationSource(check, sourceClip);
        const back = projectAnnotationSource(check, target);
        // Palette indices survive except VIP (one "parsing" object) and JHMDB (person 1, puppet 2). What each format holds: DAVIS/YouTube-VOS masks, VIP parts, JHMDB pose (visible) + parts, COCO/CVAT masks
        // and poses with keyframe flags (CVAT writes the empty dog mask of frame 2 as outside).
        const kinds = { davis: ['mask'], ytvos: ['mask'], vip: ['part'], jhmdb: ['keypoints', 'part'], coco: ['mask', 'keypoints'], cvat: ['mask', 'keypoints'] }[format] as Array<'mask' | 'part' | 'keypoints'>;
        const flags = format === 'coco' || format === 'cvat';
        const strip = (d: Record<string, string>) =>
          Object.fromEntries(Object.entries(d).map(([key, value]) => [format === 'vip' || format === 'jhmdb' ? key.replace(/:\d+$/, '') : key, format === 'jhmdb' ? value.replace(/\/1/g, '/2') : value]));
        const expected = strip(digest(original, { kinds, keyframes: flags }));
        if (format === 'cvat') delete expected['2:mask:3'];
        const actual = strip(digest(back, { kinds, keyframes: flags }));
        expect(actual).toEqual(expected);
      } finally {
        check.close();
      }
    });
  }

  it('writes the clip frames as DAVIS JPEGImages with --frames (ffmpeg)', async () => {
    const out = join(scratch, 'davis-frames');
    const { exitCode, stderr } = await run(exportCommand, ['--project', projectFile, '--clip', 'dance twirl.mp4', '--format', 'davis', '--out', out, '--frames']);
    expect(exitCode, stderr).toBe(0);
    expect(readdirSync(join(out, 'JPEGImages/480p/dance twirl'))).toEqual(frameFiles.map((_, i) => `0000${i}.jpg`));
  });

  it('imports nothing from a DAVIS folder with a bad frame, naming the file', async () => {
    const folder = join(scratch, 'bad-davis');
    mkdirSync(folder);
    writeFileSync(join(folder, '00000.png'), encodeIndexedPng({ width: 32, height: 24, indices: new Uint8Array(32 * 24).fill(1) }));
    writeFileSync(join(folder, '00001.png'), new Uint8Array(0));
    const store = ProjectStore.open(projectFile);
    const target = newClip(store, 'bad');
    store.close();
    await expect(run(importCommand, ['--project', projectFile, '--clip', target, '--format', 'davis', '--from', folder])).rejects.toThrow(/00001\.png: the file is empty/);
    const check = ProjectStore.open(projectFile);
    expect(check.listObjects(target)).toEqual([]);
    check.close();
  });

  it('refuses an unknown format and a missing --out with usage errors', async () => {
    await expect(run(exportCommand, ['--project', projectFile, '--format', 'pascal', '--out', join(scratch, 'x')])).rejects.toThrow(/--format must be one of davis, jhmdb, vip, coco, cvat, ytvos/);
    await expect(run(exportCommand, ['--project', projectFile, '--format', 'davis'])).rejects.toThrow(/--out is required/);
    expect(existsSync(join(scratch, 'x'))).toBe(false);
  });
});

describe('correspond export / import keep label sets', () => {
  it('a 5-joint skeleton and a part set of the project come back as the same sets (COCO, CVAT, VIP)', async () => {
    const file = join(scratch, 'vocabulary.correspond');
    const store = ProjectStore.create(file, { name: 'animals' });
    const clip = newClip(store, 'mouse cage');
    const mouse = store.addLabelSet({
      kind: 'skeleton', name: 'mouse', classes: [],
      joints: ['nose', 'left ear', 'right ear', 'neck', 'tail base'].map((name) => ({ name, defaultVisibility: 2 as const })),
      edges: [[0, 3], [1, 3], [2, 3], [3, 4]], flipPairs: [[1, 2]],
    });
    const fins = store.addLabelSet({ kind: 'parts', name: 'fish', joints: [], edges: [], flipPairs: [], classes: ['background', 'body', 'fin', 'tail'].map((name, i) => ({ name, color: `#0000${i}0` })) });
    const animal = store.addObject({ clipId: clip, name: 'mouse 1', kind: 'keypoints', labelSetId: mouse.id });
    const fish = store.addObject({ clipId: clip, name: 'fish 1', kind: 'part', labelSetId: fins.id });
    store.putAnnotation({ objectId: animal.id, frameIndex: 0, source: 'user', kind: 'keypoints', keypoints: Array.from({ length: 5 }, (_, j) => ({ x: 3 + j, y: 4, visibility: 2 as const })) });
    store.putAnnotation({ objectId: fish.id, frameIndex: 0, source: 'user', kind: 'labels', labels: { width: 32, height: 24, data: Uint8Array.from({ length: 32 * 24 }, (_, i) => i % 4) } });
    store.close();
    for (const format of ['coco', 'cvat', 'vip'] as const) {
      const out = join(scratch, `vocabulary-${format}`);
      expect((await run(exportCommand, ['--project', file, '--clip', clip, '--format', format, '--out', out])).exitCode).toBe(0);
      const reopened = ProjectStore.open(file);
      const target = newClip(reopened, `back from ${format}`);
      reopened.close();
      const imported = await run(importCommand, ['--project', file, '--clip', target, '--format', format, '--from', out]);
      expect(imported.exitCode, imported.stderr).toBe(0);
      const check = ProjectStore.open(file);
      const objects = check.listObjects(target);
      const want = format === 'vip' ? [fins.id] : [mouse.id];
      expect(objects.map((object) => object.labelSetId)).toEqual(want);
      expect(check.listLabelSets().map((set) => set.name)).toEqual(['JHMDB joints', 'VIP parts', 'mouse', 'fish']);
      check.close();
    }
  });
});
