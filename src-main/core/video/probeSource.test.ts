import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSource } from './frameSource.ts';
import { probeSource } from './probeSource.ts';
import {
  CLIP_FPS,
  CLIP_FRAMES,
  CLIP_HEIGHT,
  CLIP_WIDTH,
  colourFrameIndex,
  makeColourClip,
  makeColourPngFolder,
  makeTempFolder,
  type ClipContainer,
} from '../../../tests/support/testClips.ts';
import { VideoError, type VideoErrorCode } from './videoError.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const sharedData = process.env.CORRESPOND_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const davisBlackswan = path.join(sharedData, 'davis2016-dev/JPEGImages/480p/blackswan');
const jhmdbVideo = 'Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2';
const jhmdbFolder = path.join(sharedData, 'jhmdb-sample/Rename_Images/catch', jhmdbVideo);
const jhmdbAvi = path.join(sharedData, 'jhmdb-sample', `${jhmdbVideo}.avi`);

let folder: string;
beforeAll(() => {
  folder = makeTempFolder();
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function expectVideoError(promise: Promise<unknown>, code: VideoErrorCode, file: string): Promise<VideoError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(VideoError);
  expect((error as VideoError).code).toBe(code);
  expect((error as VideoError).message).toContain(file);
  return error as VideoError;
}

describe('probeSource on video files', () => {
  const containers: ClipContainer[] = ['mp4', 'avi', 'mov', 'mkv', 'webm'];
  it.each(containers)('reads size, fps and the exact frame count of a .%s clip', async (container) => {
    const file = makeColourClip('shared', container);
    const info = await probeSource(file);
    expect(info).toMatchObject({
      kind: 'video',
      path: file,
      name: path.basename(file),
      width: CLIP_WIDTH,
      height: CLIP_HEIGHT,
      fps: CLIP_FPS,
      frameCount: CLIP_FRAMES,
    });
    expect(info.codec).toBeTruthy();
    expect(info.durationSec).toBeCloseTo(CLIP_FRAMES / CLIP_FPS, 1);
    expect(info.frameTimestamps).toHaveLength(CLIP_FRAMES);
  });

  it('rejects a missing file with NOT_FOUND', async () => {
    const file = path.join(folder, 'does-not-exist.mp4');
    await expectVideoError(probeSource(file), 'NOT_FOUND', file);
  });

  it('rejects a 0-byte file with EMPTY_FILE', async () => {
    const file = path.join(folder, 'empty.mp4');
    writeFileSync(file, '');
    await expectVideoError(probeSource(file), 'EMPTY_FILE', file);
  });

  it('rejects a text file renamed .mp4 as unreadable', async () => {
    const file = path.join(folder, 'notes.mp4');
    writeFileSync(file, 'These are meeting notes, not a video.\n'.repeat(20));
    await expectVideoError(probeSource(file), 'UNREADABLE', file);
  });

  it('keeps the frames that decode of an mp4 cut at half its size (index at the front) and counts the lost ones', async () => {
    const file = makeColourClip(folder, 'mp4', { name: 'cut-faststart', frames: 60, extraArgs: ['-movflags', '+faststart'] });
    const full = await probeSource(file);
    expect(full.frameCount).toBe(60);
    expect(full.lostFrameCount).toBeUndefined();
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const cut = await probeSource(file);
    expect(cut.frameCount).toBeGreaterThan(0);
    expect(cut.frameCount).toBeLessThan(60);
    expect(cut.lostFrameCount).toBe(60 - cut.frameCount);
    const source = new FrameSource(cut);
    try {
      for (const frameIndex of [0, cut.frameCount - 1]) expect(colourFrameIndex(await source.getFrame(frameIndex))).toBe(frameIndex);
    } finally {
      source.close();
    }
  });

  it('refuses an mp4 cut so short that no frame decodes, saying so in one balanced sentence', async () => {
    const file = makeColourClip(folder, 'mp4', { name: 'cut-head', frames: 60, extraArgs: ['-movflags', '+faststart'] });
    truncateSync(file, 1200);
    const error = await probeSource(file).then(() => undefined, (reason: unknown) => reason as VideoError);
    expect(error).toBeInstanceOf(VideoError);
    expect(error!.message).toContain(file);
    expect(['TRUNCATED', 'UNREADABLE']).toContain(error!.code);
    const depth = [...error!.message].reduce((open, character) => open + (character === '(' ? 1 : character === ')' ? -1 : 0), 0);
    expect(depth, error!.message).toBe(0);
  });

  it('rejects an mp4 cut at half its size when the index was at the end', async () => {
    const file = makeColourClip(folder, 'mp4', { name: 'cut-plain', frames: 60 });
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const error = await expectVideoError(probeSource(file), 'UNREADABLE', file);
    expect(error.message).toMatch(/moov atom not found/);
  });

  it('rejects a video stream without frames with NO_FRAMES', async () => {
    const file = path.join(folder, 'zero.avi');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=s=64x48', '-frames:v', '0', '-c:v', 'mpeg4', file]);
    await expectVideoError(probeSource(file), 'NO_FRAMES', file);
  });

  it('rejects with an AbortError when the signal is already aborted', async () => {
    const file = makeColourClip('shared', 'mkv');
    const error = await probeSource(file, { signal: AbortSignal.abort() }).catch((reason: unknown) => reason);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('probeSource on image folders', () => {
  it('reads a PNG folder in natural name order with a configurable fps', async () => {
    const source = makeColourPngFolder(folder, 12, 'natural');
    // Rename 00001.png… to frame1.png…frame12.png, where plain string order would put frame10 before frame2.
    const renamed = path.join(folder, 'natural-renamed');
    mkdirSync(renamed);
    readdirSync(source).forEach((name, index) => copyFileSync(path.join(source, name), path.join(renamed, `frame${index + 1}.png`)));
    writeFileSync(path.join(renamed, 'notes.txt'), 'not an image');
    const info = await probeSource(renamed, { imageFps: 30 });
    expect(info).toMatchObject({ kind: 'images', name: 'natural-renamed', width: CLIP_WIDTH, height: CLIP_HEIGHT, fps: 30, frameCount: 12, codec: 'png' });
    expect(info.files!.map((file) => path.basename(file))).toEqual(Array.from({ length: 12 }, (_, index) => `frame${index + 1}.png`));
    const frames = new FrameSource(info);
    expect(colourFrameIndex(await frames.getFrame(9))).toBe(9);
    frames.close();
  });

  it('defaults image folders to 24 fps', async () => {
    const info = await probeSource(makeColourPngFolder(folder, 3, 'default-fps'));
    expect(info.fps).toBe(24);
    expect(info.durationSec).toBeCloseTo(3 / 24);
  });

  it('rejects an empty folder with EMPTY_FOLDER', async () => {
    const empty = path.join(folder, 'empty-folder');
    mkdirSync(empty);
    await expectVideoError(probeSource(empty), 'EMPTY_FOLDER', empty);
  });

  it('rejects a folder without images with NO_IMAGES', async () => {
    const texts = path.join(folder, 'texts');
    mkdirSync(texts);
    writeFileSync(path.join(texts, 'readme.txt'), 'hello');
    await expectVideoError(probeSource(texts), 'NO_IMAGES', texts);
  });

  it('rejects images of mixed sizes and names the odd file', async () => {
    const mixed = makeColourPngFolder(folder, 3, 'mixed');
    const larger = makeColourPngFolder(folder, 1, 'larger', 80, 60);
    copyFileSync(path.join(larger, '00001.png'), path.join(mixed, '00004.png'));
    const error = await expectVideoError(probeSource(mixed), 'MIXED_SIZES', path.join(mixed, '00004.png'));
    expect(error.message).toContain('80×60');
  });

  it('rejects a corrupt last image with CORRUPT_IMAGE', async () => {
    const corrupt = makeColourPngFolder(folder, 3, 'corrupt');
    const last = path.join(corrupt, '00003.png');
    const bytes = readFileSync(last);
    bytes.fill(0x55, 40); // header intact, image data destroyed
    writeFileSync(last, bytes);
    await expectVideoError(probeSource(corrupt), 'CORRUPT_IMAGE', last);
  });

  it('rejects an image whose header is garbage with CORRUPT_IMAGE', async () => {
    const garbage = makeColourPngFolder(folder, 3, 'garbage');
    const middle = path.join(garbage, '00002.png');
    writeFileSync(middle, 'not a png');
    await expectVideoError(probeSource(garbage), 'CORRUPT_IMAGE', middle);
  });
});

describe.skipIf(!existsSync(davisBlackswan))('probeSource on DAVIS 2016 blackswan (needs ../shared/data/davis2016-dev)', () => {
  it('reads 854×480 JPEGs with one frame per file and decodes frame 0', async () => {
    const info = await probeSource(davisBlackswan);
    const jpegCount = readdirSync(davisBlackswan).filter((name) => name.endsWith('.jpg')).length;
    expect(info).toMatchObject({ kind: 'images', width: 854, height: 480, frameCount: jpegCount, fps: 24 });
    expect(path.basename(info.files![0])).toBe('00000.jpg');
    const frames = new FrameSource(info);
    const frame = await frames.getFrame(0);
    expect(frame.data.length).toBe(854 * 480 * 3);
    frames.close();
  });
});

describe.skipIf(!existsSync(jhmdbFolder))('probeSource on the JHMDB sample (needs ../shared/data/jhmdb-sample)', () => {
  it('reads the 320×240 PNG folder starting at 00001.png', async () => {
    const info = await probeSource(jhmdbFolder);
    const pngCount = readdirSync(jhmdbFolder).filter((name) => name.endsWith('.png')).length;
    expect(info).toMatchObject({ kind: 'images', width: 320, height: 240, frameCount: pngCount });
    expect(path.basename(info.files![0])).toBe('00001.png');
  });

  it.skipIf(!existsSync(jhmdbAvi))('counts the decodable frames of the .avi, not its header claim', async () => {
    const info = await probeSource(jhmdbAvi);
    const pngCount = readdirSync(jhmdbFolder).filter((name) => name.endsWith('.png')).length;
    // The AVI header says 48 frames; 40 decode, matching the 40 extracted PNGs.
    expect(info).toMatchObject({ kind: 'video', width: 320, height: 240, frameCount: pngCount });
    const frames = new FrameSource(info);
    expect((await frames.getFrame(info.frameCount - 1)).data.length).toBe(320 * 240 * 3);
    frames.close();
  });
});
