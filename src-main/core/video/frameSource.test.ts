import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_BYTES, FrameSource } from './frameSource.ts';
import { probeSource } from './probeSource.ts';
import type { SourceInfo } from './sourceInfo.ts';
import {
  CLIP_FRAMES,
  CLIP_HEIGHT,
  CLIP_WIDTH,
  colourFrameIndex,
  makeColourClip,
  makeColourPngFolder,
  makeTempFolder,
  type ClipContainer,
} from '../../../tests/support/testClips.ts';
import { VideoError } from './videoError.ts';

let folder: string;
const infos = new Map<string, SourceInfo>();
const sources: FrameSource[] = [];

function openSource(key: string, options?: ConstructorParameters<typeof FrameSource>[1]): FrameSource {
  const source = new FrameSource(infos.get(key)!, options);
  sources.push(source);
  return source;
}

const containers: ClipContainer[] = ['mp4', 'avi', 'mov', 'mkv', 'webm'];
const lastIndex = CLIP_FRAMES - 1;
const middleIndex = Math.floor(CLIP_FRAMES / 2);

beforeAll(async () => {
  folder = makeTempFolder();
  for (const container of containers) infos.set(container, await probeSource(makeColourClip('shared', container)));
  infos.set('images', await probeSource(makeColourPngFolder(folder, 12)));
  // MPEG-TS has no sample index: frames are located by counting instead of seeking.
  const transportStream = makeColourClip('shared', 'mkv', { name: 'ts', extraArgs: ['-f', 'mpegts', '-output_ts_offset', '3'] });
  infos.set('mpegts', await probeSource(transportStream));
});

afterAll(() => {
  for (const source of sources) source.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('FrameSource.getFrame', () => {
  it.each([...containers, 'mpegts'])('returns exactly frame N of a .%s clip, in any order', async (key) => {
    const source = openSource(key, { chunkFrames: 8 });
    for (const frameIndex of [middleIndex, 0, lastIndex, 7, 3, 22, 21, 9]) {
      const frame = await source.getFrame(frameIndex);
      expect(frame.width).toBe(CLIP_WIDTH);
      expect(frame.height).toBe(CLIP_HEIGHT);
      expect(frame.data.length).toBe(CLIP_WIDTH * CLIP_HEIGHT * 3);
      expect(colourFrameIndex(frame), `frame ${frameIndex}`).toBe(frameIndex);
    }
    // Chunks 15…22, 0…7, 29, 9…16: no seek had to be redone by counting.
    expect(source.decodeProcessCount).toBe(4);
  });

  it('returns exactly frame N of a PNG folder, one file per frame', async () => {
    const source = openSource('images');
    for (const frameIndex of [5, 0, 11, 2]) expect(colourFrameIndex(await source.getFrame(frameIndex))).toBe(frameIndex);
    expect(source.decodeProcessCount).toBe(4);
  });

  it('decodes a chunk of following frames per ffmpeg call and serves them from the cache', async () => {
    const source = openSource('mp4', { chunkFrames: 8 });
    await source.getFrame(10);
    expect(source.decodeProcessCount).toBe(1);
    expect(source.cachedFrameIndices.sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    for (let frameIndex = 11; frameIndex < 18; frameIndex += 1) {
      expect(colourFrameIndex(await source.getFrame(frameIndex))).toBe(frameIndex);
    }
    expect(source.decodeProcessCount).toBe(1);
  });

  it('decodes the chunk ending at the frame when stepping backwards', async () => {
    const source = openSource('mkv', { chunkFrames: 8 });
    await source.getFrame(20);
    await source.getFrame(19);
    expect(source.decodeProcessCount).toBe(2);
    expect(source.cachedFrameIndices).toContain(12);
    expect(colourFrameIndex(await source.getFrame(12))).toBe(12);
    expect(source.decodeProcessCount).toBe(2);
  });

  it('shares one ffmpeg process between concurrent requests for the same chunk', async () => {
    const source = openSource('webm', { chunkFrames: 8 });
    const frames = await Promise.all([source.getFrame(3), source.getFrame(5), source.getFrame(3), source.getFrame(9)]);
    expect(frames.map(colourFrameIndex)).toEqual([3, 5, 3, 9]);
    expect(source.decodeProcessCount).toBe(1);
  });

  it('keeps at most cacheFrames frames, evicting the least recently used', async () => {
    const source = openSource('avi', { cacheFrames: 5 });
    expect(source.cacheCapacityFrames).toBe(5);
    await source.getFrame(0); // chunk clamps to the cache size: frames 0…4
    await source.getFrame(0);
    await source.getFrame(20); // frames 20…24 evict all of 0…4
    expect(source.cachedFrameIndices).toHaveLength(5);
    expect(source.cachedFrameIndices.sort((a, b) => a - b)).toEqual([20, 21, 22, 23, 24]);
    for (const frameIndex of [2, 27, 13, 6]) {
      await source.getFrame(frameIndex);
      expect(source.cachedFrameIndices.length).toBeLessThanOrEqual(5);
    }
  });

  it('sizes the default cache for about 256 MB of frames', () => {
    const source = openSource('mp4');
    expect(source.cacheCapacityFrames).toBe(Math.floor(DEFAULT_CACHE_BYTES / (CLIP_WIDTH * CLIP_HEIGHT * 3)));
  });

  it('rejects frame indices outside the clip with FRAME_OUT_OF_RANGE', async () => {
    const source = openSource('mp4');
    for (const frameIndex of [-1, CLIP_FRAMES, 1.5]) {
      await expect(source.getFrame(frameIndex)).rejects.toMatchObject({ code: 'FRAME_OUT_OF_RANGE' });
    }
  });

  it('rejects pending and later requests with CLOSED after close()', async () => {
    const source = openSource('mov');
    const pending = source.getFrame(12);
    source.close();
    const error = await pending.catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(VideoError);
    expect((error as VideoError).code).toBe('CLOSED');
    await expect(source.getFrame(0)).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('FrameSource.readFrames', () => {
  it.each(['mp4', 'webm', 'avi', 'images'])('streams consecutive frames of %s from one ffmpeg process', async (key) => {
    const source = openSource(key);
    const count = key === 'images' ? 8 : 20;
    const seen: number[] = [];
    for await (const frame of source.readFrames(3, count)) {
      expect(colourFrameIndex(frame)).toBe(frame.frameIndex);
      seen.push(frame.frameIndex);
    }
    expect(seen).toEqual(Array.from({ length: count }, (_, offset) => 3 + offset));
    expect(source.decodeProcessCount).toBe(1);
  });

  it('reads the whole clip by default', async () => {
    const source = openSource('mkv');
    let count = 0;
    for await (const frame of source.readFrames()) count += frame.frameIndex === count ? 1 : 0;
    expect(count).toBe(CLIP_FRAMES);
  });

  it('stops ffmpeg when the loop is left early and can read again afterwards', async () => {
    const source = openSource('mp4');
    for await (const frame of source.readFrames(0)) {
      if (frame.frameIndex === 2) break;
    }
    const again: number[] = [];
    for await (const frame of source.readFrames(25, 5)) again.push(colourFrameIndex(frame));
    expect(again).toEqual([25, 26, 27, 28, 29]);
  });

  it('rejects with an AbortError when aborted mid-stream', async () => {
    const source = openSource('webm');
    const controller = new AbortController();
    const reading = (async () => {
      for await (const frame of source.readFrames(0, CLIP_FRAMES, { signal: controller.signal })) {
        if (frame.frameIndex === 1) controller.abort();
      }
    })();
    const error = await reading.catch((reason: unknown) => reason);
    expect((error as Error).name).toBe('AbortError');
  });

  it('rejects a range that runs past the clip', async () => {
    const source = openSource('mp4');
    await expect(source.readFrames(25, 10).next()).rejects.toMatchObject({ code: 'FRAME_OUT_OF_RANGE' });
  });
});
