import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type {
  ClickSegmentRequest, ClipTimeline, FrameAnnotations, HistoryChange, IslandRemovalSummary, KeypointValue, MaskEditTool, ObjectAnnotation,
  SegmentationClickValue,
} from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { editSessionId } from '../utils/editSession.ts';
import { createLatestOnlyLoader } from '../utils/latestOnlyLoader.ts';
import { markFrameLoaded } from '../utils/propagationTiming.ts';
import { isEmptyMask } from '../utils/maskPainting.ts';

interface FrameKey {
  projectId: string;
  clipId: string;
  frameIndex: number;
  /** `editStamp` when asked: a load that started before a local edit is asked again. */
  stamp: number;
  /** `labelsGeneration` when asked: the labels are kept for playback only if no run wrote meanwhile. */
  generation: number;
}

interface ClipKey {
  projectId: string;
  clipId: string;
}

/**
 * Labels of the open clip: the annotations of the frame on screen, the clip's timeline (keyframes, propagated
 * frames, confidence, reviewed flags) and the saving of the annotator's edits. An edit shows at once; saves run one
 * after another, and a frame load waits for the saves before it so it never brings back an older label.
 */
export const useAnnotationsStore = defineStore('annotations', () => {
  const api = useApi();
  const projectId = ref<string>();
  const clipId = ref<string>();
  /** The labels last loaded (or edited) for `frame.frameIndex`. */
  const frame = shallowRef<FrameAnnotations>();
  const frameError = ref<string>();
  /** Bumped whenever `frame` changes, including edits made in place. */
  const revision = ref(0);
  const timeline = shallowRef<ClipTimeline>();
  const timelineError = ref<string>();
  const pendingSaves = ref(0);
  const saveError = ref<string>();
  /** The frame the player asked labels for. */
  const wantedFrameIndex = ref<number>();
  /** The last propagated label the annotator corrected (the panel offers to re-propagate from its frame). */
  const lastCorrection = ref<{ objectId: string; frameIndex: number }>();
  let saveChain: Promise<unknown> = Promise.resolve();
  let editStamp = 0;
  /**
   * Labels read ahead for playback, each valid while nothing changed since it was read: the same `editStamp` (no
   * edit, undo or clean-up) and `labelsGeneration` (no run wrote a frame, no reload).
   */
  const labelCache = new Map<number, { stamp: number; generation: number; labels: FrameAnnotations }>();
  let labelsGeneration = 0;
  const labelCacheSize = 128;

  function cachedLabels(frameIndex: number): FrameAnnotations | undefined {
    const entry = labelCache.get(frameIndex);
    return entry && entry.stamp === editStamp && entry.generation === labelsGeneration ? entry.labels : undefined;
  }

  function keepLabels(stamp: number, labels: FrameAnnotations): void {
    labelCache.delete(labels.frameIndex);
    labelCache.set(labels.frameIndex, { stamp, generation: labelsGeneration, labels });
    for (const oldest of labelCache.keys()) {
      if (labelCache.size <= labelCacheSize) break;
      labelCache.delete(oldest);
    }
  }

  function forgetCachedLabels(): void {
    labelsGeneration += 1;
    labelCache.clear();
  }

  const frameLoader = createLatestOnlyLoader<FrameKey, FrameAnnotations>(
    async ({ stamp: _stamp, generation: _generation, ...args }) => {
      await saveChain;
      return api.annotations.getFrame(args);
    },
    (key, loaded) => {
      if (key.clipId !== clipId.value) return;
      if (key.stamp !== editStamp) {
        frameLoader.request({ ...key, stamp: editStamp, generation: labelsGeneration });
        return;
      }
      if (key.generation === labelsGeneration) keepLabels(key.stamp, loaded);
      frame.value = loaded;
      frameError.value = undefined;
      revision.value += 1;
      if (loaded.annotations.some((annotation) => annotation.source === 'propagated')) markFrameLoaded(loaded.frameIndex);
    },
    (key, error) => {
      if (key.clipId === clipId.value) frameError.value = errorMessage(error);
    },
  );

  const timelineLoader = createLatestOnlyLoader<ClipKey, ClipTimeline>(
    async (key) => {
      await saveChain;
      return api.annotations.getTimeline(key);
    },
    (key, loaded) => {
      if (key.clipId !== clipId.value) return;
      timeline.value = loaded;
      timelineError.value = undefined;
    },
    (key, error) => {
      if (key.clipId === clipId.value) timelineError.value = errorMessage(error);
    },
  );

  function open(newProjectId: string, newClipId: string): void {
    if (projectId.value === newProjectId && clipId.value === newClipId) return;
    close();
    projectId.value = newProjectId;
    clipId.value = newClipId;
    refreshTimeline();
  }

  function close(): void {
    forgetCachedLabels();
    frameLoader.reset();
    timelineLoader.reset();
    projectId.value = undefined;
    clipId.value = undefined;
    frame.value = undefined;
    timeline.value = undefined;
    frameError.value = undefined;
    timelineError.value = undefined;
    saveError.value = undefined;
    wantedFrameIndex.value = undefined;
    lastCorrection.value = undefined;
    revision.value += 1;
  }

  function loadFrame(frameIndex: number): void {
    if (!projectId.value || !clipId.value) return;
    wantedFrameIndex.value = frameIndex;
    const cached = cachedLabels(frameIndex);
    if (cached) {
      // Read ahead for playback: shown at once; a load still in flight for another frame must not replace it.
      frameLoader.reset();
      frame.value = cached;
      frameError.value = undefined;
      revision.value += 1;
      return;
    }
    frameLoader.request({ projectId: projectId.value, clipId: clipId.value, frameIndex, stamp: editStamp, generation: labelsGeneration });
  }

  /** Whether a frame's labels are read ahead and still valid (playback reads ahead what is missing). */
  function hasLabels(frameIndex: number): boolean {
    return cachedLabels(frameIndex) !== undefined;
  }

  /** Reads a frame's labels ahead of playback (after the saves before it, like any load). */
  async function prefetchLabels(frameIndex: number): Promise<void> {
    if (!projectId.value || !clipId.value || cachedLabels(frameIndex)) return;
    const key = { projectId: projectId.value, clipId: clipId.value, frameIndex };
    const [stamp, generation] = [editStamp, labelsGeneration];
    await saveChain;
    const labels = await api.annotations.getFrame(key);
    if (key.clipId !== clipId.value || stamp !== editStamp || generation !== labelsGeneration) return;
    keepLabels(stamp, labels);
  }

  /** Loads the wanted frame's labels again (after propagation wrote it, or a reconnect). */
  function reloadFrame(): void {
    forgetCachedLabels();
    if (wantedFrameIndex.value !== undefined) loadFrame(wantedFrameIndex.value);
  }

  function refreshTimeline(): void {
    if (projectId.value && clipId.value) timelineLoader.request({ projectId: projectId.value, clipId: clipId.value });
  }

  /** The object's label on `frameIndex`, if that frame's labels are loaded. */
  function annotationOf(objectId: string, frameIndex: number): ObjectAnnotation | undefined {
    if (frame.value?.frameIndex !== frameIndex) return undefined;
    return frame.value.annotations.find((annotation) => annotation.objectId === objectId);
  }

  /** Shows an edit at once: the object's label on the loaded frame becomes a user keyframe (or goes, if empty). */
  function applyLocally(frameIndex: number, annotation: ObjectAnnotation | undefined, objectId: string): void {
    editStamp += 1;
    const current = frame.value;
    if (current?.frameIndex === frameIndex) {
      const before = current.annotations.find((a) => a.objectId === objectId);
      if (before?.source === 'propagated' && annotation?.source === 'user') lastCorrection.value = { objectId, frameIndex };
      const others = current.annotations.filter((a) => a.objectId !== objectId);
      frame.value = { ...current, annotations: annotation ? [...others, annotation] : others };
      revision.value += 1;
    }
    const shown = timeline.value;
    if (shown && annotation && !shown.keyframes.includes(frameIndex)) {
      timeline.value = { ...shown, keyframes: [...shown.keyframes, frameIndex].sort((a, b) => a - b) };
    }
  }

  /**
   * The revision of an object's label this window last saw on the loaded frame: a save names it, so the engine
   * refuses it if another window (or a run) wrote that label since. Undefined (unchecked) for another frame.
   */
  function baseRevision(objectId: string, frameIndex: number): number | undefined {
    const current = frame.value;
    if (current?.frameIndex !== frameIndex || !current.revisions) return undefined;
    return current.revisions[objectId] ?? 0;
  }

  /** A save went through: the loaded frame now stands at the revision it produced (the next save's base). */
  function acceptRevision(objectId: string, frameIndex: number, saved: { revision: number } | undefined): void {
    const current = frame.value;
    if (saved && current?.frameIndex === frameIndex && current.revisions) current.revisions[objectId] = saved.revision;
  }

  /** Queues a save after the earlier ones; a failure shows its message and reloads what the engine holds. */
  function enqueueSave(save: () => Promise<unknown>): Promise<boolean> {
    pendingSaves.value += 1;
    const forClip = clipId.value;
    const result = saveChain.then(save).then(
      () => {
        if (forClip === clipId.value) saveError.value = undefined;
        return true;
      },
      (error: unknown) => {
        if (forClip === clipId.value) saveError.value = `Not saved: ${errorMessage(error)}`;
        return false;
      },
    );
    saveChain = result;
    void result.finally(() => {
      pendingSaves.value -= 1;
      if (forClip !== clipId.value) return;
      refreshTimeline();
      if (saveError.value) reloadFrame();
    });
    return result;
  }

  /** Saves the object's mask on a frame as a user keyframe (an empty mask removes the label); `tool` names the undo step. */
  function commitMask(objectId: string, frameIndex: number, mask: Uint8Array, tool?: MaskEditTool): Promise<boolean> {
    if (!projectId.value || !clipId.value) return Promise.resolve(false);
    const args = { projectId: projectId.value, clipId: clipId.value, objectId, frameIndex, mask, sessionId: editSessionId, ...(tool ? { tool } : {}) };
    const base = baseRevision(objectId, frameIndex);
    applyLocally(frameIndex, isEmptyMask(mask) ? undefined : { objectId, source: 'user', confidence: null, mask }, objectId);
    // The base is read when the save runs: an earlier save of this label still queued moves it forward.
    return enqueueSave(async () => {
      const latest = base === undefined ? undefined : baseRevision(objectId, frameIndex);
      acceptRevision(objectId, frameIndex, await api.annotations.putMask({ ...args, ...(latest === undefined ? {} : { baseRevision: latest }) }));
    });
  }

  /**
   * Click tool: the engine refines the object's mask on the frame from the clicks so far (and the box) and saves it
   * as a keyframe; the result shows when it arrives. Queued like a save, so clicks apply in order.
   */
  function segmentByClicks(objectId: string, frameIndex: number, clicks: SegmentationClickValue[], box?: ClickSegmentRequest['box']): Promise<boolean> {
    if (!projectId.value || !clipId.value) return Promise.resolve(false);
    const args: ClickSegmentRequest = { projectId: projectId.value, clipId: clipId.value, objectId, frameIndex, clicks, sessionId: editSessionId, ...(box ? { box } : {}) };
    editStamp += 1;
    return enqueueSave(async () => {
      const { mask, revision } = await api.interactive.segment(args);
      applyLocally(frameIndex, isEmptyMask(mask) ? undefined : { objectId, source: 'user', confidence: null, mask }, objectId);
      acceptRevision(objectId, frameIndex, { revision });
    });
  }

  function commitKeypoints(objectId: string, frameIndex: number, keypoints: KeypointValue[]): Promise<boolean> {
    if (!projectId.value || !clipId.value) return Promise.resolve(false);
    const args = { projectId: projectId.value, clipId: clipId.value, objectId, frameIndex, keypoints, sessionId: editSessionId };
    const base = baseRevision(objectId, frameIndex);
    applyLocally(frameIndex, { objectId, source: 'user', confidence: null, keypoints }, objectId);
    return enqueueSave(async () => {
      const latest = base === undefined ? undefined : baseRevision(objectId, frameIndex);
      acceptRevision(objectId, frameIndex, await api.annotations.putKeypoints({ ...args, ...(latest === undefined ? {} : { baseRevision: latest }) }));
    });
  }

  async function setReviewed(frameIndex: number, reviewed: boolean): Promise<void> {
    const shown = timeline.value;
    if (!projectId.value || !clipId.value || !shown) return;
    const flags = [...shown.reviewed];
    flags[frameIndex] = reviewed;
    timeline.value = { ...shown, reviewed: flags };
    const args = { projectId: projectId.value, clipId: clipId.value, frameIndex, reviewed, sessionId: editSessionId };
    await enqueueSave(() => api.annotations.setReviewed(args));
  }

  /**
   * Removes the object's islands under `minPixels` on `frameIndex`, or on all its propagated frames when it is
   * undefined (one undo step); the frame on screen and the timeline follow. Rejects with the engine's message.
   */
  async function removeSmallIslands(objectId: string, minPixels: number, frameIndex?: number): Promise<IslandRemovalSummary> {
    if (!projectId.value || !clipId.value) throw new Error('No clip is open.');
    const args = { projectId: projectId.value, clipId: clipId.value, objectId, minPixels, sessionId: editSessionId, ...(frameIndex !== undefined ? { frameIndex } : {}) };
    await saveChain;
    const summary = await api.annotations.removeSmallIslands(args);
    editStamp += 1;
    refreshTimeline();
    reloadFrame();
    return summary;
  }

  /** Drops a deleted object's labels from the loaded frame and refreshes the timeline. */
  function forgetObject(objectId: string): void {
    forgetCachedLabels();
    const current = frame.value;
    if (current) {
      frame.value = { ...current, annotations: current.annotations.filter((a) => a.objectId !== objectId) };
      revision.value += 1;
    }
    refreshTimeline();
  }

  /** Settles once every save queued so far has ended (an undo must not overtake the edit it is meant to revert). */
  async function whenSaved(): Promise<void> {
    await saveChain;
  }

  /** After an undo or redo: the timeline follows, and the frame on screen reloads when the step changed it. */
  function onHistoryApplied(frames: HistoryChange['frames']): void {
    editStamp += 1;
    refreshTimeline();
    const shown = wantedFrameIndex.value;
    if (frames && shown !== undefined && shown >= frames.first && shown <= frames.last) reloadFrame();
  }

  /** Live preview while propagation runs: the timeline follows, and the frame on screen reloads once written. */
  function onFramePropagated(frameIndex: number | undefined): void {
    forgetCachedLabels();
    refreshTimeline();
    if (frameIndex !== undefined && frameIndex === wantedFrameIndex.value) reloadFrame();
  }

  return {
    projectId,
    clipId,
    frame,
    frameError,
    revision,
    timeline,
    timelineError,
    pendingSaves,
    saveError,
    wantedFrameIndex,
    lastCorrection,
    open,
    close,
    loadFrame,
    hasLabels,
    prefetchLabels,
    reloadFrame,
    refreshTimeline,
    annotationOf,
    commitMask,
    segmentByClicks,
    commitKeypoints,
    setReviewed,
    forgetObject,
    removeSmallIslands,
    whenSaved,
    onHistoryApplied,
    onFramePropagated,
  };
});
