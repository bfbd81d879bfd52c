// The click tool through the services: clicks make a user keyframe from the frame's cached features, each click is
// one undo step, a propagated frame is corrected from its own mask, and bad requests get clear errors.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiErrorShape } from '../api/apiError.ts';
import { createServices, type Services } from '../createServices.ts';
import { maskIou } from '../interactive/clickProtocol.ts';
import { makeTempFolder } from '../../../tests/support/testClips.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const W = 160;
const H = 96;
const SIDE = 40;
const SQUARE = { x: 30, y: 28 };

function squareMask(): Uint8Array {
  const mask = new Uint8Array(W * H);
  for (let y = SQUARE.y; y < SQUARE.y + SIDE; y++) for (let x = SQUARE.x; x < SQUARE.x + SIDE; x++) mask[y * W + x] = 1;
  return mask;
}

let folder: string;
let clipPath: string;
let services: Services;

beforeAll(() => {
  folder = makeTempFolder('correspond-interactive-service-');
  clipPath = path.join(folder, 'square.mkv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=0x2a5a8a:s=${W}x${H}:r=10:d=0.4`,
    '-f', 'lavfi', '-i', `color=c=0xe05020:s=${SIDE}x${SIDE}:r=10:d=0.4`,
    '-filter_complex', `[0][1]overlay=x=${SQUARE.x}:y=${SQUARE.y}:shortest=1`, '-c:v', 'ffv1', clipPath]);
  services = createServices({
    libraryDirectory: path.join(folder, 'library'),
    host: 'browser',
    appRoot,
    describeComputeDevice: () => ({ device: 'cpu', label: 'CPU · test', reason: 'test', threads: 1 }),
  });
}, 60_000);
afterAll(() => {
  services?.dispose();
  rmSync(folder, { recursive: true, force: true });
});

async function setUp() {
  const { api } = services;
  const project = await api.projects.create({ name: 'clicks' });
  const clip = await api.clips.import({ projectId: project.id, sourcePath: clipPath });
  const object = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'square', kind: 'mask' });
  return { api, projectId: project.id, clipId: clip.id, objectId: object.id };
}

describe('interactive.segment', () => {
  it('segments the clicked square, saves it as a user keyframe and makes each click one undo step', async () => {
    const { api, projectId, clipId, objectId } = await setUp();
    const first = await api.interactive.segment({ projectId, clipId, objectId, frameIndex: 0, clicks: [{ x: 50, y: 48, positive: true }] });
    expect(maskIou(first.mask, squareMask())).toBeGreaterThan(0.85);
    const saved = await api.annotations.getFrame({ projectId, clipId, frameIndex: 0 });
    expect(saved.annotations[0]).toMatchObject({ objectId, source: 'user' });
    expect(Buffer.from(saved.annotations[0].mask!).equals(Buffer.from(first.mask))).toBe(true);
    expect((await api.history.status({ projectId, clipId })).undoLabel).toBe('click on frame 0');

    const second = await api.interactive.segment({
      projectId, clipId, objectId, frameIndex: 0, clicks: [{ x: 50, y: 48, positive: true }, { x: 120, y: 20, positive: false }],
    });
    expect(maskIou(second.mask, squareMask())).toBeGreaterThan(0.85);
    await api.history.undo({ projectId, clipId });
    const undone = await api.annotations.getFrame({ projectId, clipId, frameIndex: 0 });
    expect(Buffer.from(undone.annotations[0].mask!).equals(Buffer.from(first.mask))).toBe(true);
    await api.history.undo({ projectId, clipId });
    expect((await api.annotations.getFrame({ projectId, clipId, frameIndex: 0 })).annotations).toHaveLength(0);
  }, 120_000);

  it('corrects a frame from the mask it holds: a background click removes a false blob and keeps the object', async () => {
    const { api, projectId, clipId, objectId } = await setUp();
    const wrong = squareMask();
    for (let y = 10; y < 30; y++) for (let x = 110; x < 140; x++) wrong[y * W + x] = 1;
    await api.annotations.putMask({ projectId, clipId, objectId, frameIndex: 2, mask: wrong });
    const { mask } = await api.interactive.segment({ projectId, clipId, objectId, frameIndex: 2, clicks: [{ x: 125, y: 20, positive: false }] });
    expect(mask[20 * W + 125]).toBe(0);
    expect(maskIou(mask, squareMask())).toBeGreaterThan(0.85);
  }, 120_000);

  it('refuses clicks outside the frame, part objects and requests without clicks or box, naming the problem', async () => {
    const { api, projectId, clipId, objectId } = await setUp();
    const error = (promise: Promise<unknown>) => promise.then(() => undefined, (caught: unknown) => toApiErrorShape(caught));
    expect(await error(api.interactive.segment({ projectId, clipId, objectId, frameIndex: 0, clicks: [{ x: 500, y: 10, positive: true }] })))
      .toMatchObject({ code: 'OUT_OF_RANGE', message: expect.stringMatching(/outside the 160×96 frame/) });
    expect(await error(api.interactive.segment({ projectId, clipId, objectId, frameIndex: 0, clicks: [] })))
      .toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Click on the object or drag a box/) });
    const part = await api.objects.create({ projectId, clipId, name: 'parts', kind: 'part' });
    expect(await error(api.interactive.segment({ projectId, clipId, objectId: part.id, frameIndex: 0, clicks: [{ x: 5, y: 5, positive: true }] })))
      .toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/segments mask objects/) });
  }, 120_000);
});
