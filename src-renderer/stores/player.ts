import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ClipSummary, FrameImage } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { createLatestOnlyLoader } from '../utils/latestOnlyLoader.ts';
import { clampFrameIndex } from '../utils/timelineGeometry.ts';

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

  const loader = createLatestOnlyLoader<FrameKey, FrameImage>(
    (key) => api.clips.getFrame(key),
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
  }

  function seek(wishedIndex: number): void {
    if (!clip.value || !projectId.value) return;
    const index = clampFrameIndex(wishedIndex, frameCount.value);
    if (index === frameIndex.value && frame.value?.frameIndex === index) return;
    frameIndex.value = index;
    loader.request({ projectId: projectId.value, clipId: clip.value.id, frameIndex: index });
  }

  /** Loads the current frame again (after the connection came back). */
  function reload(): void {
    if (clip.value && projectId.value && !frameIsCurrent.value) {
      loader.request({ projectId: projectId.value, clipId: clip.value.id, frameIndex: frameIndex.value });
    }
  }

  /**
   * Plays at the clip's frame rate, but moves on only once the frame on screen is the current one, so every frame
   * is seen even when decoding is slower than real time. Stops at the last frame.
   */
  function play(): void {
    if (!clip.value || playing.value) return;
    if (frameIndex.value >= frameCount.value - 1) seek(0);
    playing.value = true;
    const intervalMs = 1000 / Math.max(1, Math.min(120, clip.value.fps || 25));
    const tick = () => {
      if (!playing.value) return;
      if (frameIsCurrent.value) {
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
