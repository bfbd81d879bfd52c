import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Progress, PropagationMode, PropagationRequest, PropagationRunInfo, PropagationSummary } from '../../src-main/core/api/contract.ts';
import { ApiClientError, errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { endPropagationTiming, markFirstFrameReceived, markPropagationClick, markPrepared } from '../utils/propagationTiming.ts';
import { keyframeAtOrNear, keyframesAround } from '../utils/timelineNavigation.ts';
import { useAnnotationsStore } from './annotations.ts';
import { useModelsStore } from './models.ts';
import { useObjectsStore } from './objects.ts';
import { usePlayerStore } from './player.ts';

export interface PropagationRun {
  mode: PropagationMode;
  fraction: number;
  message: string;
  /** The frame the engine reported last, when it says. */
  frameIndex?: number;
  cancelling: boolean;
}

/** The frame a progress report is about: the contract's `frameIndex` (its message is for people, never parsed). */
export function progressFrameIndex(progress: Progress): number | undefined {
  const frameIndex = progress.frameIndex;
  return typeof frameIndex === 'number' && Number.isInteger(frameIndex) ? frameIndex : undefined;
}

/** localStorage key of "follow the run": the playhead moves to each frame a run saves. */
export const FOLLOW_STORAGE_KEY = 'correspond.followRun';

function storedFollow(): boolean {
  try {
    return globalThis.localStorage?.getItem(FOLLOW_STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

/** localStorage switch: 'off' stops preparing runs ahead of the click (to measure the cold path, or save CPU). */
export const PREPARE_STORAGE_KEY = 'correspond.prepareRuns';

function preparingEnabled(): boolean {
  try {
    return globalThis.localStorage?.getItem(PREPARE_STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Runs propagation as a long call: progress, live preview of written frames, and cancel (frames done are kept). */
export const usePropagationStore = defineStore('propagation', () => {
  const api = useApi();
  const running = ref<PropagationRun>();
  const lastSummary = ref<PropagationSummary>();
  const runError = ref<string>();
  /** The open clip's latest run as the engine recorded it (one started elsewhere, or cut short by a reload). */
  const lastRun = ref<PropagationRunInfo | null>();
  const lastRunDismissed = ref(false);
  /** Follow the run: the view moves to each frame as it is saved (remembered in the page). */
  const follow = ref(storedFollow());
  let abort: AbortController | undefined;
  let lastRunClip: { projectId: string; clipId: string } | undefined;
  let lastRunTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Asks how the clip's latest run went. A run still writing that this page did not start (another window's) is
   * asked again every second until it ends, then the timeline (and with it Undo) follows.
   */
  async function loadLastRun(): Promise<void> {
    clearTimeout(lastRunTimer);
    const clip = lastRunClip;
    if (!clip) return;
    try {
      const loaded = await api.propagation.lastRun(clip);
      if (clip !== lastRunClip) return;
      const wasRunning = lastRun.value?.status === 'running';
      lastRun.value = loaded;
      if (loaded?.status === 'running' && !running.value) lastRunTimer = setTimeout(() => void loadLastRun(), 1000);
      else if (wasRunning) useAnnotationsStore().refreshTimeline();
    } catch {
      // Only the notice is missing; the panel works without it.
    }
  }

  function openClip(projectId: string, clipId: string): void {
    if (lastRunClip?.projectId === projectId && lastRunClip.clipId === clipId) return;
    closeClip();
    lastRunClip = { projectId, clipId };
    void loadLastRun();
  }

  function closeClip(): void {
    clearTimeout(lastRunTimer);
    lastRunClip = undefined;
    lastRun.value = undefined;
    lastRunDismissed.value = false;
    runError.value = undefined;
    lastSummary.value = undefined;
  }

  async function run(request: PropagationRequest): Promise<PropagationSummary | undefined> {
    if (running.value) return undefined;
    const annotations = useAnnotationsStore();
    annotations.lastCorrection = undefined;
    abort = new AbortController();
    runError.value = undefined;
    running.value = { mode: request.mode, fraction: 0, message: 'Starting…', cancelling: false };
    markPropagationClick();
    try {
      // The fusion chosen on the Models screen, unless the caller names a stream.
      const stream = request.stream ?? useModelsStore().streamSpec;
      const summary = await api.propagation.run({ ...request, stream }, {
        signal: abort.signal,
        onProgress: (progress) => {
          if (!running.value) return;
          const frameIndex = progressFrameIndex(progress);
          running.value = {
            ...running.value,
            fraction: progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0,
            message: progress.message ?? running.value.message,
            frameIndex: frameIndex ?? running.value.frameIndex,
          };
          markFirstFrameReceived(frameIndex);
          if (follow.value && progress.frameIndex !== undefined) usePlayerStore().seek(progress.frameIndex);
          annotations.onFramePropagated(frameIndex);
        },
      });
      lastSummary.value = summary;
      lastRunDismissed.value = true;
      return summary;
    } catch (error) {
      if (!(error instanceof ApiClientError && error.isCancelled)) runError.value = errorMessage(error);
      return undefined;
    } finally {
      running.value = undefined;
      abort = undefined;
      endPropagationTiming();
      // Whatever was written (all of it, or the frames done before a cancel) shows now.
      annotations.refreshTimeline();
      annotations.reloadFrame();
      void loadLastRun();
    }
  }

  /**
   * The request the panel's buttons make from the playhead: the ticked objects (or all visible ones); forward from
   * the keyframe at or before the playhead, backward from the one at or after it; fill the frames strictly between
   * the two keyframes around the playhead.
   * Undefined when there is nothing to propagate from.
   */
  function requestFor(mode: PropagationMode, frameIndex: number): PropagationRequest | undefined {
    const objects = useObjectsStore();
    const annotations = useAnnotationsStore();
    const keyframes = annotations.timeline?.keyframes ?? [];
    const objectIds = objects.propagationTargets.map((object) => object.id);
    if (!objects.projectId || !objects.clipId || objectIds.length === 0) return undefined;
    const base = { projectId: objects.projectId, clipId: objects.clipId, objectIds, mode };
    if (mode === 'fill') {
      const around = keyframesAround(keyframes, frameIndex);
      return around ? { ...base, fromFrame: around.from, toFrame: around.to } : undefined;
    }
    const fromFrame = keyframeAtOrNear(keyframes, frameIndex, mode === 'forward' ? -1 : 1);
    return fromFrame === undefined ? undefined : { ...base, fromFrame };
  }

  async function start(mode: PropagationMode, frameIndex: number): Promise<PropagationSummary | undefined> {
    const request = requestFor(mode, frameIndex);
    return request ? run(request) : undefined;
  }

  let preparing: Promise<void> | undefined;
  let nextPrepare: { frameIndex: number } | undefined;

  /**
   * Readies the runs Forward and Backward would start from `frameIndex` (the engine selects their first frame
   * ahead, from features alone), so the click shows it at once. Called when the playhead rests or a keyframe
   * changes; one preparation at a time, the latest request wins; skipped while a run is going. Failures only
   * mean the click computes everything itself, so they are not shown.
   */
  function prepare(frameIndex: number): Promise<void> {
    if (!preparingEnabled()) return Promise.resolve();
    nextPrepare = { frameIndex };
    // `finally` runs after the assignment even when a round needs no call and the loop ends synchronously.
    preparing ??= drainPreparations().finally(() => {
      preparing = undefined;
    });
    return preparing;
  }

  async function drainPreparations(): Promise<void> {
    while (nextPrepare) {
      const { frameIndex: frame } = nextPrepare;
      const startedAt = performance.now();
      nextPrepare = undefined;
      if (running.value) continue;
      const stream = useModelsStore().streamSpec;
      let asked = false;
      for (const mode of ['forward', 'backward'] as const) {
        const request = requestFor(mode, frame);
        if (!request || running.value) continue;
        asked = true;
        await api.propagation.prepare({ ...request, stream }).catch(() => undefined);
      }
      if (asked && !nextPrepare) markPrepared(frame, startedAt);
    }
  }

  function cancel(): void {
    if (!running.value || !abort) return;
    running.value = { ...running.value, cancelling: true };
    abort.abort();
  }

  function clearError(): void {
    runError.value = undefined;
  }

  function setFollow(on: boolean): void {
    follow.value = on;
    try {
      globalThis.localStorage?.setItem(FOLLOW_STORAGE_KEY, on ? 'on' : 'off');
    } catch {
      // Not remembered; it still applies to this page.
    }
  }

  function dismissLastRun(): void {
    lastRunDismissed.value = true;
  }

  return {
    running, lastSummary, runError, lastRun, lastRunDismissed, follow,
    run, requestFor, start, prepare, cancel, clearError, openClip, closeClip, loadLastRun, dismissLastRun, setFollow,
  };
});
