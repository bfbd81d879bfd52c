import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ClipSummary, FrameImage } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { createLatestOnlyLoader } from '../utils/latestOnlyLoader.ts';
import { clampFrameIndex } from '../utils/timelineGeometry.ts';
import { useAnnotationsStore } from './annotations.ts';

export interface ThumbnailImage {
  frameIndex: number;
  /** A blob: URL owned by this store (revoked when the clip closes). */
  url: string;
}

interface FrameKey {
  projectId: string;
  clipId: string;
  frameIndex: number;
}

/** Decoded frames kept in the page (RGB bytes), so playback and scrubbing back show them without a round trip. */
const frameCacheBytes = 256 * 1024 * 1024;
/** Playback reads this far ahead of the playhead. */
const playAheadSeconds = 2;
/** Playback waits at most this many ticks for a frame's labels before moving on without them. */
const maxLabelWaitTicks = 10;

/** The clip on screen: the current frame, the decoded image shown for it, and the timeline thumbnails. */
export const usePlayerStore = defineStore('player', () => {
  const api = useApi();
  const projectId = ref<string>();
  const clip = ref<ClipSummary>();
  /** The frame the user asked for (the playhead); `frame` catches up when its decode arrives. */
  const frameIndex = ref(0);
  const frame = shallowRef<FrameImage>();
  const frameError = ref<string>();
  const thumbnails = shallowRef<ThumbnailImage[]>([]);
  const thumbnailError = ref<string>();
  const frameCount = computed(() => clip.value?.frameCount ?? 0);
  const frameIsCurrent = computed(() => frame.value?.frameIndex === frameIndex.value);
  const playing = ref(false);
  let playTimer: ReturnType<typeof setTimeout> | undefined;
  /** The open clip's decoded frames, least recently shown first. */
  const frameCache = new Map<number, FrameImage>();
  let cachedBytes = 0;
  let readingAhead = false;

  function remember(clipId: string, image: FrameImage): void {
    if (clipId !== clip.value?.id) return;
    const previous = frameCache.get(image.frameIndex);
    if (previous) cachedBytes -= previous.rgb.byteLength;
    frameCache.delete(image.frameIndex);
    frameCache.set(image.frameIndex, image);
    cachedBytes += image.rgb.byteLength;
    for (const [index, old] of frameCache) {
      if (cachedBytes <= frameCacheBytes || frameCache.size <= 1) break;
      frameCache.delete(index);
      cachedBytes -= old.rgb.byteLength;
    }
  }

  /** Frames being decoded for this page, so the player and the read-ahead never ask for one twice. */
  const inFlight = new Map<string, Promise<FrameImage>>();

  function fetchFrame(key: FrameKey): Promise<FrameImage> {
    const id = `${key.clipId}/${key.frameIndex}`;
    let pending = inFlight.get(id);
    if (!pending) {
      pending = api.clips.getFrame(key).then((image) => {
        remember(key.clipId, image);
        return image;
      });
      void pending.catch(() => undefined).finally(() => inFlight.delete(id));
      inFlight.set(id, pending);
    }
    return pending;
  }

  const loader = createLatestOnlyLoader<FrameKey, FrameImage>(
    fetchFrame,
    (key, image) => {
      if (key.clipId !== clip.value?.id) return;
      frame.value = image;
      frameError.value = undefined;
    },
    (key, error) => {
      if (key.clipId === clip.value?.id) frameError.value = errorMessage(error);
    },
  );

  /** The thumbnail nearest before `index`: shown while the full frame decodes. */
  const placeholderUrl = computed(() => {
    let best: ThumbnailImage | undefined;
    for (const thumbnail of thumbnails.value) {
      if (thumbnail.frameIndex <= frameIndex.value) best = thumbnail;
      else break;
    }
    return best?.url;
  });

  async function openClip(newProjectId: string, newClip: ClipSummary, startFrameIndex = 0): Promise<void> {
    const sameClip = clip.value?.id === newClip.id && projectId.value === newProjectId;
    if (!sameClip) {
      closeClip();
      projectId.value = newProjectId;
      clip.value = newClip;
      void loadThumbnails(newProjectId, newClip.id);
    }
    seek(startFrameIndex);
  }

  /** The clip on screen was renamed (or otherwise re-described): show the new summary, keep the frame. */
  function updateClipSummary(summary: ClipSummary): void {
    if (clip.value?.id === summary.id) clip.value = summary;
  }

  async function loadThumbnails(forProjectId: string, clipId: string): Promise<void> {
    try {
      const list = await api.clips.getThumbnails({ projectId: forProjectId, clipId });
      if (clip.value?.id !== clipId) return;
      thumbnails.value = list
        .map((t) => ({ frameIndex: t.frameIndex, url: URL.createObjectURL(new Blob([t.jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' })) }))
        .sort((a, b) => a.frameIndex - b.frameIndex);
      thumbnailError.value = undefined;
    } catch (error) {
      // The strip stays empty but still scrubs; frames load on their own.
      if (clip.value?.id === clipId) thumbnailError.value = errorMessage(error);
    }
  }

  function closeClip(): void {
    pause();
    loader.reset();
    for (const thumbnail of thumbnails.value) URL.revokeObjectURL(thumbnail.url);
    thumbnails.value = [];
    thumbnailError.value = undefined;
    clip.value = undefined;
    projectId.value = undefined;
    frame.value = undefined;
    frameError.value = undefined;
    frameIndex.value = 0;
    frameCache.clear();
    cachedBytes = 0;
  }

  function seek(wishedIndex: number): void {
    if (!clip.value || !projectId.value) return;
    const index = clampFrameIndex(wishedIndex, frameCount.value);
    if (index === frameIndex.value && frame.value?.frameIndex === index) return;
    frameIndex.value = index;
    const cached = frameCache.get(index);
    if (cached) {
      // Shown at once; a load still in flight for another frame must not replace it.
      loader.reset();
      remember(clip.value.id, cached);
      frame.value = cached;
      frameError.value = undefined;
      return;
    }
    loader.request({ projectId: projectId.value, clipId: clip.value.id, frameIndex: index });
  }

  /** While playing, decodes the frames of the next seconds into the cache and reads their labels, one after another. */
  async function readAhead(): Promise<void> {
    if (readingAhead) return;
    readingAhead = true;
    const annotations = useAnnotationsStore();
    try {
      while (playing.value && clip.value && projectId.value) {
        const ahead = Math.ceil((clip.value.fps || 25) * playAheadSeconds);
        const last = Math.min(frameCount.value - 1, frameIndex.value + ahead);
        let next: number | undefined;
        for (let index = frameIndex.value + 1; index <= last; index++) {
          if (!frameCache.has(index) || (annotations.clipId === clip.value.id && !annotations.hasLabels(index))) {
            next = index;
            break;
          }
        }
        if (next === undefined) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        if (!frameCache.has(next)) await fetchFrame({ projectId: projectId.value, clipId: clip.value.id, frameIndex: next });
        if (annotations.clipId === clip.value?.id) await annotations.prefetchLabels(next);
        // Labels that could not be kept (an edit meanwhile) are read again on the next round, not in a tight loop.
        if (annotations.clipId === clip.value?.id && !annotations.hasLabels(next)) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch {
      // Playback falls back to loading each frame when it is shown.
    } finally {
      readingAhead = false;
    }
  }

  /** Loads the current frame again (after the connection came back). */
  function reload(): void {
    if (clip.value && projectId.value && !frameIsCurrent.value) {
      loader.request({ projectId: projectId.value, clipId: clip.value.id, frameIndex: frameIndex.value });
    }
  }

  /**
   * Plays at the clip's frame rate, but moves on only once the frame on screen is the current one and its labels
   * are in (waiting a few ticks at most), so every frame is seen with its masks even when decoding is slower than
   * real time; the next seconds are decoded ahead, so frames already decoded play at the frame rate. Stops at the
   * last frame.
   */
  function play(): void {
    if (!clip.value || playing.value) return;
    if (frameIndex.value >= frameCount.value - 1) seek(0);
    playing.value = true;
    void readAhead();
    const annotations = useAnnotationsStore();
    const intervalMs = 1000 / Math.max(1, Math.min(120, clip.value.fps || 25));
    let waitedTicks = 0;
    const tick = () => {
      if (!playing.value) return;
      const labelsIn = annotations.frame?.frameIndex === frameIndex.value || annotations.clipId !== clip.value?.id;
      if (frameIsCurrent.value && !labelsIn && waitedTicks < maxLabelWaitTicks) waitedTicks++;
      else if (frameIsCurrent.value) {
        waitedTicks = 0;
        if (frameIndex.value >= frameCount.value - 1) {
          pause();
          return;
        }
        seek(frameIndex.value + 1);
      }
      playTimer = setTimeout(tick, intervalMs);
    };
    playTimer = setTimeout(tick, intervalMs);
  }

  function pause(): void {
    playing.value = false;
    clearTimeout(playTimer);
    playTimer = undefined;
  }

  const togglePlay = () => (playing.value ? pause() : play());
  const step = (delta: number) => seek(frameIndex.value + delta);
  const seekFirst = () => seek(0);
  const seekLast = () => seek(frameCount.value - 1);

  return {
    projectId,
    clip,
    frameIndex,
    frame,
    frameError,
    frameIsCurrent,
    frameCount,
    playing,
    thumbnails,
    thumbnailError,
    placeholderUrl,
    openClip,
    updateClipSummary,
    closeClip,
    seek,
    step,
    seekFirst,
    seekLast,
    play,
    pause,
    togglePlay,
    reload,
  };
});
