import { describe, expect, it, vi } from 'vitest';
import type { ClipSummary, FrameImage } from '../../src-main/core/api/contract.ts';
import { usePlayerStore } from './player.ts';
import { deferred, flushPromises, installStoresWith } from './storeTestHarness.ts';

const clip: ClipSummary = {
  id: 'c1', name: 'bars', sourcePath: '/v/bars.mp4', sourceKind: 'video', width: 2, height: 1, fps: 10, frameCount: 30, importedAt: 'now',
};
const frameImage = (frameIndex: number): FrameImage => ({ frameIndex, width: 2, height: 1, rgb: new Uint8Array(6).fill(frameIndex) });

function installWithFrames() {
  const requests: { frameIndex: number; settle: ReturnType<typeof deferred<FrameImage>> }[] = [];
  installStoresWith({
    clips: {
      getFrame: (args) => {
        const settle = deferred<FrameImage>();
        requests.push({ frameIndex: args.frameIndex, settle });
        return settle.promise;
      },
      getThumbnails: async () => [
        { frameIndex: 10, jpeg: new Uint8Array([0xff, 0xd8]) },
        { frameIndex: 0, jpeg: new Uint8Array([0xff, 0xd8]) },
      ],
    },
  });
  return requests;
}

describe('player store', () => {
  it('asks only for the newest frame while scrubbing and never shows a stale one', async () => {
    const requests = installWithFrames();
    const player = usePlayerStore();
    await player.openClip('p1', clip, 0);
    player.seek(5);
    player.seek(6);
    player.seek(7);
    expect(requests.map((r) => r.frameIndex)).toEqual([0]);
    requests[0].settle.resolve(frameImage(0));
    await flushPromises();
    expect(player.frame).toBeUndefined();
    expect(requests.map((r) => r.frameIndex)).toEqual([0, 7]);
    requests[1].settle.resolve(frameImage(7));
    await flushPromises();
    expect(player.frame?.frameIndex).toBe(7);
    expect(player.frameIsCurrent).toBe(true);
  });

  it('clamps seeks and steps to the clip', async () => {
    installWithFrames();
    const player = usePlayerStore();
    await player.openClip('p1', clip, 99);
    expect(player.frameIndex).toBe(29);
    player.step(5);
    expect(player.frameIndex).toBe(29);
    player.seekFirst();
    player.step(-1);
    expect(player.frameIndex).toBe(0);
    player.seekLast();
    expect(player.frameIndex).toBe(29);
  });

  it('offers the nearest earlier thumbnail as a placeholder while a frame loads', async () => {
    installWithFrames();
    const player = usePlayerStore();
    await player.openClip('p1', clip, 0);
    await flushPromises();
    expect(player.thumbnails.map((t) => t.frameIndex)).toEqual([0, 10]);
    player.seek(14);
    expect(player.placeholderUrl).toBe(player.thumbnails[1].url);
    player.seek(3);
    expect(player.placeholderUrl).toBe(player.thumbnails[0].url);
  });

  it('shows the reason when a frame cannot be decoded', async () => {
    const requests = installWithFrames();
    const player = usePlayerStore();
    await player.openClip('p1', clip, 4);
    requests[0].settle.reject(new Error('frame 4 of /v/bars.mp4 could not be decoded'));
    await flushPromises();
    expect(player.frameError).toBe('frame 4 of /v/bars.mp4 could not be decoded');
  });
});

describe('player playback', () => {
  it('moves on only once the shown frame is the current one, and stops at the last frame', async () => {
    const requests = installWithFrames();
    const player = usePlayerStore();
    await player.openClip('p1', { ...clip, frameCount: 3, fps: 100 }, 0);
    requests[0].settle.resolve(frameImage(0));
    await flushPromises();
    player.play();
    expect(player.playing).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(player.frameIndex).toBe(1);
    requests[1].settle.resolve(frameImage(1));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(player.frameIndex).toBe(2);
    requests[2].settle.resolve(frameImage(2));
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(player.playing).toBe(false);
    expect(player.frameIndex).toBe(2);
  });

  it('plays frames already decoded at the frame rate without asking again, and reads ahead while playing', async () => {
    const requests = installWithFrames();
    const player = usePlayerStore();
    await player.openClip('p1', { ...clip, frameCount: 30, fps: 100 }, 0);
    requests[0].settle.resolve(frameImage(0));
    await flushPromises();
    player.play();
    // The read-ahead asks for the next frames one after another; the playhead follows as they arrive.
    for (let frameIndex = 1; frameIndex <= 5; frameIndex++) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      const request = requests.find((r) => r.frameIndex === frameIndex)!;
      request.settle.resolve(frameImage(frameIndex));
      await flushPromises();
    }
    player.pause();
    expect(new Set(requests.map((r) => r.frameIndex)).size).toBe(requests.length);
    const asked = requests.length;
    player.seek(0);
    expect(player.frame?.frameIndex).toBe(0);
    player.play();
    // Frames 1–5 are in the page: playback reaches frame 5 without asking the engine for them again.
    await vi.waitFor(() => expect(player.frameIndex).toBeGreaterThanOrEqual(5), { timeout: 5_000 });
    expect(requests.slice(asked).every((r) => r.frameIndex > 5)).toBe(true);
    player.pause();
  });
});
