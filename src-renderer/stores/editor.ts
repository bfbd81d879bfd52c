import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { KeypointValue } from '../../src-main/core/api/contract.ts';

export type MaskTool = 'brush' | 'eraser' | 'polygon' | 'click';

/** An edit in progress (a stroke, a dragged joint): drawn instead of the stored label until it is committed. */
export interface LiveEdit {
  objectId: string;
  frameIndex: number;
  mask?: Uint8Array;
  keypoints?: KeypointValue[];
}

export const brushSizeLimits = { min: 1, max: 200 } as const;

/** The editor's tool settings and the edit in progress (UI state only: it never calls the API). */
export const useEditorStore = defineStore('editor', () => {
  const tool = ref<MaskTool>('brush');
  /** Brush diameter in frame pixels. */
  const brushSizePx = ref(12);
  /** Fill opacity of the mask overlay, 0..1 (outlines stay opaque). */
  const overlayOpacity = ref(0.5);
  /** VIP class the brush paints on part objects (1..19). */
  const partClass = ref(4);
  /** The joint a click places on keypoint objects (0..14). */
  const activeJoint = ref(0);
  const liveEdit = shallowRef<LiveEdit>();
  /** Bumped when the live edit's buffer changed in place. */
  const liveRevision = ref(0);
  /** Space is down; `spaceUsed` once a pan started with it (so its release does not toggle playback). */
  const spaceHeld = ref(false);
  const spaceUsed = ref(false);

  function setBrushSize(sizePx: number): void {
    brushSizePx.value = Math.min(brushSizeLimits.max, Math.max(brushSizeLimits.min, Math.round(sizePx)));
  }

  /** [ and ]: about 15 % per press, at least one pixel. */
  function stepBrushSize(direction: 1 | -1): void {
    const size = brushSizePx.value;
    setBrushSize(size + direction * Math.max(1, Math.round(size * 0.15)));
  }

  function setOverlayOpacity(opacity: number): void {
    overlayOpacity.value = Math.min(1, Math.max(0, opacity));
  }

  function showLiveEdit(edit: LiveEdit | undefined): void {
    liveEdit.value = edit;
    liveRevision.value += 1;
  }

  return {
    tool,
    brushSizePx,
    overlayOpacity,
    partClass,
    activeJoint,
    liveEdit,
    liveRevision,
    spaceHeld,
    spaceUsed,
    setBrushSize,
    stepBrushSize,
    setOverlayOpacity,
    showLiveEdit,
  };
});
