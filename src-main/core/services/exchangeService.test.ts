// Export and import of annotation files through the services, as the app's dialogs call them: a real project
// library, a real clip (ffmpeg), the DAVIS writer and reader.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiErrorShape } from '../api/apiError.ts';
import type { ApiErrorShape, ClipSummary, Progress, ProjectSummary } from '../api/contract.ts';
import { createServices, type Services } from '../createServices.ts';
import { readIndexedPng } from '../formats/png.ts';
import { CLIP_FRAMES, CLIP_HEIGHT, CLIP_WIDTH, makeColourClip, makeTempFolder } from '../../../tests/support/testClips.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let folder: string;
let services: Services;
let project: ProjectSummary;
let clip: ClipSummary;
let second: ClipSummary;
let clipPath: string;

/** A w×h rectangle mask at (x, y) of a clip frame. */
function box(x: number, y: number, w: number, h: number): Uint8Array {
  const mask = new Uint8Array(CLIP_WIDTH * CLIP_HEIGHT);
  for (let row = y; row < y + h; row++) mask.fill(1, row * CLIP_WIDTH + x, row * CLIP_WIDTH + x + w);
  return mask;
}

/** The error a call must fail with, as it crosses the boundary (a call that succeeds fails the test). */
function failure(call: Promise<unknown>): Promise<ApiErrorShape> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => toApiErrorShape(error),
  );
}

/** A fresh empty folder to export into. */
function exportFolder(name: string): string {
  const out = path.join(folder, 'exports', name);
  mkdirSync(out, { recursive: true });
  return out;
}

beforeAll(async () => {
  folder = makeTempFolder('correspond-exchange-test-');
  services = createServices({ libraryDirectory: path.join(folder, 'library'), host: 'browser', appRoot });
  clipPath = makeColourClip('shared', 'mkv', { name: 'exchange' });
  const { api } = services;
  project = await api.projects.create({ name: 'Exchange' });
  clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath, name: 'walk.mkv' });
  second = await api.clips.import({ projectId: project.id, sourcePath: clipPath, name: 'walk again' });
  const car = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'car', kind: 'mask' });
  const dog = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'dog', kind: 'mask', paletteIndex: 3 });
  for (const frameIndex of [0, 5, 9]) {
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: car.id, frameIndex, mask: box(4 + frameIndex, 6, 20, 12) });
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: dog.id, frameIndex, mask: box(40, 20 + frameIndex, 10, 10) });
  }
}, 60_000);
afterAll(() => {
  services.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('exchange service', () => {
  it('lists every format with the object kinds it holds', async () => {
    const formats = await services.api.exchange.formats();
    expect(formats.map((f) => [f.format, f.exportKinds])).toEqual([
      ['davis', ['mask']], ['jhmdb', ['keypoints', 'part']], ['vip', ['part']], ['coco', ['mask', 'keypoints']], ['cvat', ['mask', 'keypoints']], ['ytvos', ['mask']],
    ]);
    expect(formats.every((f) => f.description.length > 20)).toBe(true);
  });

  it('exports a clip as DAVIS palette PNGs with frame progress, and imports them back into another clip unchanged', async () => {
    const { api } = services;
    const destination = exportFolder('davis');
    const progress: Progress[] = [];
    const summary = await api.exchange.export(
      { projectId: project.id, clipIds: [clip.id], format: 'davis', destination },
      { onProgress: (event) => progress.push(event) },
    );
    const out = path.join(destination, 'walk-davis');
    expect(summary).toMatchObject({ format: 'davis', path: out, frames: 3, clips: [{ clipId: clip.id, frames: 3, objects: 2 }] });
    expect(progress.at(-1)).toMatchObject({ done: CLIP_FRAMES, total: CLIP_FRAMES });
    expect(progress.some((event) => event.done === 10 && event.total === CLIP_FRAMES)).toBe(true);
    expect(readdirSync(destination)).toEqual(['walk-davis']); // nothing else written beside it
    expect(readdirSync(path.join(out, 'Annotations/480p/walk'))).toEqual(['00000.png', '00005.png', '00009.png']);
    const png = readIndexedPng(path.join(out, 'Annotations/480p/walk/00005.png'));
    expect([png.width, png.height]).toEqual([CLIP_WIDTH, CLIP_HEIGHT]);
    expect(png.indices[10 * CLIP_WIDTH + 12]).toBe(1);
    expect(png.indices[30 * CLIP_WIDTH + 45]).toBe(3);

    const imported = await api.exchange.import({ projectId: project.id, clipId: second.id, format: 'davis', sourcePath: out });
    expect(imported).toMatchObject({ clipId: second.id, frames: 3, annotations: 6, keyframes: 6, warnings: [] });
    expect(imported.objects.map((o) => [o.kind, o.paletteIndex])).toEqual([['mask', 1], ['mask', 3]]);
    for (const frameIndex of [0, 5, 9]) {
      const original = await api.annotations.getFrame({ projectId: project.id, clipId: clip.id, frameIndex });
      const copy = await api.annotations.getFrame({ projectId: project.id, clipId: second.id, frameIndex });
      expect(copy.annotations.map((a) => [a.source, Buffer.from(a.mask!).toString('base64')])).toEqual(
        original.annotations.map((a) => [a.source, Buffer.from(a.mask!).toString('base64')]),
      );
    }
    // Replacing deletes the clip's objects in the same transaction.
    const replaced = await api.exchange.import({ projectId: project.id, clipId: second.id, format: 'davis', sourcePath: out, replace: true });
    expect((await api.objects.list({ projectId: project.id, clipId: second.id })).map((o) => o.id)).toEqual(replaced.objects.map((o) => o.id));
  });

  it('writes the clip frames as JPEGs when asked', async () => {
    const destination = exportFolder('frames');
    const summary = await services.api.exchange.export({ projectId: project.id, clipIds: [clip.id], format: 'davis', destination, folderName: 'with frames', options: { includeFrames: true } });
    const jpegs = readdirSync(path.join(summary.path, 'JPEGImages/480p/walk'));
    expect(jpegs).toHaveLength(CLIP_FRAMES);
    expect(jpegs[0]).toBe('00000.jpg');
  });

  it('exports several clips into one folder each, all renamed into place together', async () => {
    const { api } = services;
    const other = await api.clips.import({ projectId: project.id, sourcePath: clipPath, name: 'walk.mkv' });
    const object = await api.objects.create({ projectId: project.id, clipId: other.id, name: 'car', kind: 'mask' });
    await api.annotations.putMask({ projectId: project.id, clipId: other.id, objectId: object.id, frameIndex: 2, mask: box(1, 1, 5, 5) });
    const destination = exportFolder('several');
    const summary = await api.exchange.export({ projectId: project.id, clipIds: [clip.id, other.id], format: 'ytvos', destination });
    expect(summary.path).toBe(path.join(destination, 'Exchange-ytvos'));
    expect(summary.clips.map((c) => path.basename(c.path))).toEqual(['walk', 'walk-2']);
    expect(readdirSync(path.join(summary.path, 'walk-2/Annotations/walk'))).toEqual(['00002.png']);
    await api.clips.remove({ projectId: project.id, clipId: other.id });
  });

  it('a cancelled export leaves the destination folder empty', async () => {
    const destination = exportFolder('cancelled');
    const controller = new AbortController();
    const error = await failure(
      services.api.exchange.export(
        { projectId: project.id, clipIds: [clip.id], format: 'davis', destination, options: { includeFrames: true, allFrames: true } },
        { signal: controller.signal, onProgress: ({ done }) => done >= 3 && controller.abort() },
      ),
    );
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(readdirSync(destination)).toEqual([]);
  });

  it('says what is wrong and names the folder, the file or the clip', async () => {
    const { api } = services;
    const missing = path.join(folder, 'no such folder');
    expect(await failure(api.exchange.export({ projectId: project.id, format: 'davis', destination: missing }))).toEqual({
      code: 'NOT_FOUND',
      message: `${missing} does not exist.`,
    });
    const busy = exportFolder('busy');
    mkdirSync(path.join(busy, 'walk-davis'));
    writeFileSync(path.join(busy, 'walk-davis', 'keep.txt'), 'mine');
    const exists = await failure(api.exchange.export({ projectId: project.id, clipIds: [clip.id], format: 'davis', destination: busy }));
    expect(exists.code).toBe('DESTINATION_EXISTS');
    expect(exists.message).toContain(path.join(busy, 'walk-davis'));
    const noParts = await failure(api.exchange.export({ projectId: project.id, clipIds: [clip.id], format: 'vip', destination: exportFolder('vip') }));
    expect(noParts).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('Clip "walk.mkv": the clip has no part objects') });
    expect(readdirSync(path.join(folder, 'exports', 'vip'))).toEqual([]);
    const unsafe = await failure(api.exchange.export({ projectId: project.id, clipIds: [clip.id], format: 'davis', destination: busy, folderName: '../escape' }));
    expect(unsafe.code).toBe('UNSAFE_PATH');
    expect(existsSync(path.join(folder, 'exports', 'escape'))).toBe(false);

    const emptyFolder = exportFolder('no annotations');
    const noFiles = await failure(api.exchange.import({ projectId: project.id, clipId: second.id, format: 'davis', sourcePath: emptyFolder }));
    expect(noFiles).toEqual({ code: 'NOT_FOUND', message: `${emptyFolder}: has no %05d.png annotation files` });
    const wrongSize = exportFolder('wrong size');
    const { encodeIndexedPng } = await import('../formats/png.ts');
    writeFileSync(path.join(wrongSize, '00000.png'), encodeIndexedPng({ width: 8, height: 8, indices: new Uint8Array(64).fill(1) }));
    const mismatch = await failure(api.exchange.import({ projectId: project.id, clipId: second.id, format: 'davis', sourcePath: wrongSize }));
    expect(mismatch.code).toBe('MISMATCH');
    // Refused from the PNG header, before decoding: the message names the file itself.
    expect(mismatch.message).toContain(`${path.join(wrongSize, '00000.png')}: is 8×8, clip "walk again" is ${CLIP_WIDTH}×${CLIP_HEIGHT}`);
  });

  it('refuses unknown formats and fields at the boundary', async () => {
    const bad = await failure(services.dispatcher.dispatch('exchange', 'export', { projectId: project.id, format: 'pascal', destination: folder }));
    expect(bad).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('exchange.export.format must be one of davis, jhmdb') });
    const typo = await failure(
      services.dispatcher.dispatch('exchange', 'import', { projectId: project.id, clipId: clip.id, format: 'davis', sourcePath: folder, mode: 'reference' }),
    );
    expect(typo).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'exchange.import.mode is not a known field.' });
  });
});
