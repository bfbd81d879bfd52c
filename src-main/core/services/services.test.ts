// The services behind the contract, end to end on a real SQLite library and real ffmpeg: what the renderer does
// through the API, minus the transport.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../api/contract.ts';
import { toApiErrorShape } from '../api/apiError.ts';
import { createServices, type Services } from '../createServices.ts';
import { CLIP_FRAMES, CLIP_HEIGHT, CLIP_WIDTH, colourFrameIndex, makeColourClip, makeTempFolder } from '../../../tests/support/testClips.ts';
import { readShippedFcDescription } from '../models/shippedModels.ts';
import { ProjectLibrary } from '../store/projectLibrary.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let folder: string;
let services: Services;

beforeAll(() => {
  folder = makeTempFolder('correspond-services-test-');
  services = createServices({
    libraryDirectory: path.join(folder, 'library'),
    modelRegistryDirectory: path.join(folder, 'models'),
    host: 'browser',
    appRoot,
    describeComputeDevice: () => ({ device: 'cpu', label: 'CPU · test', reason: 'test', threads: 1 }),
  });
});
afterAll(() => {
  services.dispose();
  rmSync(folder, { recursive: true, force: true });
});

async function importError(projectId: string, sourcePath: string) {
  return toApiErrorShape(await services.api.clips.import({ projectId, sourcePath }).then(() => undefined, (error: unknown) => error));
}

describe('services', () => {
  it('create a project, import a clip with progress, decode any frame and give thumbnails', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Walk' });
    const progress: Progress[] = [];
    const clip = await api.clips.import(
      { projectId: project.id, sourcePath: makeColourClip(folder, 'mp4', { name: 'walk' }) },
      { onProgress: (event) => progress.push(event) },
    );
    expect(clip).toMatchObject({ frameCount: CLIP_FRAMES, width: CLIP_WIDTH, height: CLIP_HEIGHT });
    expect(progress.at(-1)).toMatchObject({ done: 100, total: 100 });
    expect(progress.map((event) => event.done)).toEqual([...progress.map((event) => event.done)].sort((a, b) => a - b));

    for (const frameIndex of [17, 0, CLIP_FRAMES - 1, 17]) {
      const frame = await api.clips.getFrame({ projectId: project.id, clipId: clip.id, frameIndex });
      expect(frame.rgb.length).toBe(CLIP_WIDTH * CLIP_HEIGHT * 3);
      expect(colourFrameIndex({ width: frame.width, height: frame.height, data: frame.rgb })).toBe(frameIndex);
    }
    const thumbnails = await api.clips.getThumbnails({ projectId: project.id, clipId: clip.id });
    expect(thumbnails).toHaveLength(CLIP_FRAMES);
    expect(thumbnails[0].jpeg.constructor).toBe(Uint8Array);
    expect(Array.from(thumbnails[0].jpeg.subarray(0, 2))).toEqual([0xff, 0xd8]);

    const details = await api.projects.get({ projectId: project.id });
    expect(details.clips.map((summary) => summary.id)).toEqual([clip.id]);
    const outOfRange = await api.clips.getFrame({ projectId: project.id, clipId: clip.id, frameIndex: CLIP_FRAMES }).catch(toApiErrorShape);
    expect(outOfRange).toMatchObject({ code: 'OUT_OF_RANGE' });
  });

  it('bad input names the file and leaves the project unchanged', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Bad inputs' });
    const good = await api.clips.import({ projectId: project.id, sourcePath: makeColourClip(folder, 'mkv', { name: 'good' }) });

    const textFile = path.join(folder, 'notes.mp4');
    writeFileSync(textFile, 'this is not a video\n'.repeat(50));
    const emptyFolder = path.join(folder, 'empty');
    mkdirSync(emptyFolder);

    for (const [file, code] of [[textFile, 'UNREADABLE'], [emptyFolder, 'EMPTY_FOLDER']] as const) {
      const error = await importError(project.id, file);
      expect(error.code).toBe(code);
      expect(error.message).toContain(file);
    }
    const details = await api.projects.get({ projectId: project.id });
    expect(details.clips.map((clip) => clip.id)).toEqual([good.id]);
  });

  it('imports the frames of a truncated mp4 that decode and says how many were lost', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Truncated' });
    // A textured 60-frame clip with its index in front: cut at 50 % the last listed frame does not decode; cut at
    // 60 % it decodes alone but a decode from the start ends one frame early (the thumbnails come short).
    const whole = path.join(folder, 'textured.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=24:d=2.5',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-g', '8', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole]);
    const bytes = readFileSync(whole);
    for (const fraction of [0.5, 0.6]) {
      const cut = path.join(folder, `cut-${fraction}.mp4`);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * fraction)));
      const progress: Progress[] = [];
      const clip = await api.clips.import({ projectId: project.id, sourcePath: cut }, { onProgress: (event) => progress.push(event) });
      expect(clip.frameCount).toBeGreaterThan(0);
      expect(clip.lostFrameCount).toBe(60 - clip.frameCount);
      expect(progress.at(-1)?.message).toBe(`Imported ${clip.frameCount} frames; ${clip.lostFrameCount} did not decode.`);
      expect(await api.clips.getThumbnails({ projectId: project.id, clipId: clip.id })).toHaveLength(clip.frameCount);
      const last = await api.clips.getFrame({ projectId: project.id, clipId: clip.id, frameIndex: clip.frameCount - 1 });
      expect(last.width).toBe(160);
      expect((await api.projects.get({ projectId: project.id })).clips.find((summary) => summary.id === clip.id)?.lostFrameCount).toBe(clip.lostFrameCount);
    }
  });

  it('renames a clip and deletes it with its objects and cached features, refusing while a run writes', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Rename and delete' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: makeColourClip(folder, 'mkv', { name: 'take' }) });
    const renamed = await api.clips.rename({ projectId: project.id, clipId: clip.id, name: '  Take two  ' });
    expect(renamed).toMatchObject({ id: clip.id, name: 'Take two', frameCount: CLIP_FRAMES });
    expect((await api.projects.get({ projectId: project.id })).clips.map((summary) => summary.name)).toEqual(['Take two']);
    expect(await services.dispatcher.dispatch('clips', 'rename', { projectId: project.id, clipId: clip.id, name: '' }).catch(toApiErrorShape))
      .toMatchObject({ code: 'INVALID_ARGUMENT' });

    const object = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'ball', kind: 'mask' });
    const mask = new Uint8Array(CLIP_WIDTH * CLIP_HEIGHT);
    mask.fill(1, 0, CLIP_WIDTH * 8);
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: object.id, frameIndex: 0, mask });
    await api.propagation.run({ projectId: project.id, clipId: clip.id, mode: 'forward', toFrame: 3, stream: 'pixels' });
    const clipFeatures = path.join(folder, 'library', `${project.id}.cache`, 'features', clip.id);
    expect(readdirSync(clipFeatures)).toHaveLength(1);

    // A run still writing (an open step, as another connection to the project file sees it) keeps the clip.
    const otherLibrary = new ProjectLibrary(path.join(folder, 'library'));
    const store = otherLibrary.open(project.id);
    const step = store.transaction(() => store.history.begin(clip.id, 'propagation', 'propagation'));
    expect(await api.clips.remove({ projectId: project.id, clipId: clip.id }).catch(toApiErrorShape)).toMatchObject({ code: 'BUSY' });
    expect((await api.projects.get({ projectId: project.id })).clips).toHaveLength(1);
    store.history.finish(step, 'propagation (0 frames, cancelled)');
    otherLibrary.close();
    await api.clips.remove({ projectId: project.id, clipId: clip.id });
    expect((await api.projects.get({ projectId: project.id })).clips).toEqual([]);
    expect(existsSync(clipFeatures)).toBe(false);
    expect(await api.objects.list({ projectId: project.id, clipId: clip.id }).catch(toApiErrorShape)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await api.clips.rename({ projectId: project.id, clipId: clip.id, name: 'x' }).catch(toApiErrorShape)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a cancelled import leaves the project unchanged', async () => {
    const { api } = services;
    const project = await api.projects.create({ name: 'Cancelled' });
    const controller = new AbortController();
    const error = await api.clips
      .import(
        { projectId: project.id, sourcePath: makeColourClip(folder, 'webm', { name: 'cancel' }) },
        { signal: controller.signal, onProgress: ({ done }) => done >= 10 && controller.abort() },
      )
      .catch(toApiErrorShape);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect((await api.projects.get({ projectId: project.id })).clips).toEqual([]);
  });

  it('lists the embedded and built-in models, imports a stride-8 .onnx by name, refuses to remove built-ins', async () => {
    const { api } = services;
    const before = await api.models.list();
    expect(before.map((model) => model.streamName)).toEqual(['default', 'hypercolumn', 'fc', 'pixels']);
    expect(before[0]).toMatchObject({ origin: 'embedded', channels: 176, stride: 8 });
    expect(before[1]).toMatchObject({ origin: 'embedded', channels: 128, stride: 8 });
    const shippedFc = readShippedFcDescription(appRoot);
    expect(before[2]).toMatchObject({ origin: 'embedded', role: 'fine-grained', channels: shippedFc.channels, stride: 8, name: `Fine-grained ${shippedFc.network} (shipped)` });
    expect((await api.models.presets()).map((preset) => preset.name)).toContain('mocov2');
    const onnx = path.join(appRoot, 'resources/models/generated/mobilenetv2-hypercolumn.onnx');
    const imported = await api.models.import({ path: onnx, name: 'my-copy' });
    expect(imported).toMatchObject({ streamName: 'my-copy', origin: 'imported', channels: 128 });
    expect((await api.models.list()).map((model) => model.streamName)).toEqual(['default', 'hypercolumn', 'fc', 'pixels', 'my-copy']);
    for (const streamName of ['pixels', 'fc']) {
      expect(await api.models.remove({ streamName }).catch(toApiErrorShape)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await api.models.remove({ streamName: 'my-copy' });
    expect((await api.models.list()).map((model) => model.streamName)).toEqual(['default', 'hypercolumn', 'fc', 'pixels']);
    const broken = path.join(folder, 'broken.onnx');
    writeFileSync(broken, 'not a model');
    const error = toApiErrorShape(await api.models.import({ path: broken, name: "broken" }).then(() => undefined, (reason: unknown) => reason));
    expect(error.message).toContain(broken);
    expect((await api.models.list()).map((model) => model.streamName)).toEqual(['default', 'hypercolumn', 'fc', 'pixels']);
  });
});
