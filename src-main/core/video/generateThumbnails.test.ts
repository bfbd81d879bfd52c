import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSource } from './frameSource.ts';
import { generateThumbnails, thumbnailFrameIndices, type Thumbnail } from './generateThumbnails.ts';
import { readImageSize } from './imageSize.ts';
import { probeSource } from './probeSource.ts';
import type { SourceInfo, VideoProgress } from './sourceInfo.ts';
import { CLIP_FRAMES, colourFrameIndex, makeColourClip, makeColourPngFolder, makeTempFolder } from '../../../tests/support/testClips.ts';

let folder: string;
let video: SourceInfo;
let images: SourceInfo;

beforeAll(async () => {
  folder = makeTempFolder();
  video = await probeSource(makeColourClip('shared', 'mkv'));
  images = await probeSource(makeColourPngFolder(folder, 12));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes the thumbnails as a JPEG folder and reads them back, to check sizes and which frame each shows. */
async function readBack(thumbnails: Thumbnail[], name: string): Promise<{ heights: number[]; shownFrames: number[] }> {
  const output = path.join(folder, name);
  mkdirSync(output);
  thumbnails.forEach((thumbnail, index) =>
    writeFileSync(path.join(output, `${String(index).padStart(4, '0')}.jpg`), thumbnail.jpeg),
  );
  const info = await probeSource(output);
  const source = new FrameSource(info);
  const shownFrames: number[] = [];
  for await (const frame of source.readFrames()) shownFrames.push(colourFrameIndex(frame));
  source.close();
  return { heights: info.files!.map((file) => readImageSize(file)!.height), shownFrames };
}

describe('thumbnailFrameIndices', () => {
  it('takes every frame when the clip is short enough', () => {
    expect(thumbnailFrameIndices(5, 300)).toEqual([0, 1, 2, 3, 4]);
  });

  it('spreads maxCount frames evenly from the first to the last', () => {
    expect(thumbnailFrameIndices(30, 7)).toEqual([0, 5, 10, 15, 19, 24, 29]);
    const many = thumbnailFrameIndices(100_000, 300);
    expect(many).toHaveLength(300);
    expect(new Set(many).size).toBe(300);
    expect(many.at(-1)).toBe(99_999);
  });
});

describe('generateThumbnails', () => {
  it('makes one JPEG per frame of a short video, 72 px high, in frame order', async () => {
    const progress: VideoProgress[] = [];
    const thumbnails = await generateThumbnails(video, { onProgress: (event) => progress.push(event) });
    expect(thumbnails.map((thumbnail) => thumbnail.frameIndex)).toEqual(Array.from({ length: CLIP_FRAMES }, (_, index) => index));
    for (const { jpeg } of thumbnails) {
      expect([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
    }
    const { heights, shownFrames } = await readBack(thumbnails, 'all-frames');
    expect(new Set(heights)).toEqual(new Set([72]));
    expect(shownFrames).toEqual(thumbnails.map((thumbnail) => thumbnail.frameIndex));
    expect(progress.at(-1)).toMatchObject({ done: CLIP_FRAMES, total: CLIP_FRAMES });
    expect(progress.map((event) => event.done)).toEqual(Array.from({ length: CLIP_FRAMES + 1 }, (_, index) => index));
    expect(progress.every((event) => event.message.length > 0)).toBe(true);
  });

  it('picks evenly spaced frames of a long video in one pass', async () => {
    const thumbnails = await generateThumbnails(video, { maxCount: 7, heightPx: 32 });
    expect(thumbnails.map((thumbnail) => thumbnail.frameIndex)).toEqual([0, 5, 10, 15, 19, 24, 29]);
    const { heights, shownFrames } = await readBack(thumbnails, 'spaced');
    expect(new Set(heights)).toEqual(new Set([32]));
    expect(shownFrames).toEqual([0, 5, 10, 15, 19, 24, 29]);
  });

  it('keeps 300 thumbnails of a clip longer than 300 frames (one short select expression)', async () => {
    const long = await probeSource(makeColourClip(folder, 'mkv', { frames: 420, name: 'long' }));
    const thumbnails = await generateThumbnails(long, { heightPx: 16 });
    expect(thumbnails.map((thumbnail) => thumbnail.frameIndex)).toEqual(thumbnailFrameIndices(420, 300));
    // The ffmpeg expression picks exactly the frames thumbnailFrameIndices names, for any length.
    for (const frameCount of [301, 420, 1000, 4321, 100_000]) {
      const span = frameCount - 1;
      const steps = 299;
      const picked = Array.from({ length: frameCount }, (_, n) => n).filter(
        (n) => Math.round((Math.round((n * steps) / span) * span) / steps) === n,
      );
      expect(picked).toEqual(thumbnailFrameIndices(frameCount, 300));
    }
  });

  it('makes thumbnails of an image folder', async () => {
    const thumbnails = await generateThumbnails(images, { maxCount: 4 });
    expect(thumbnails.map((thumbnail) => thumbnail.frameIndex)).toEqual([0, 4, 7, 11]);
    const { shownFrames } = await readBack(thumbnails, 'from-images');
    expect(shownFrames).toEqual([0, 4, 7, 11]);
  });

  it('rejects with an AbortError when aborted during the pass', async () => {
    const controller = new AbortController();
    const error = await generateThumbnails(video, {
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done === 2) controller.abort();
      },
    }).catch((reason: unknown) => reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const error = await generateThumbnails(video, { signal: AbortSignal.abort() }).catch((reason: unknown) => reason);
    expect((error as Error).name).toBe('AbortError');
  });
});
