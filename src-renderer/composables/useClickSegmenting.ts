import { ref, watch } from 'vue';
import type { ClickSegmentRequest, SegmentationClickValue } from '../../src-main/core/api/contract.ts';
import { useAnnotationsStore } from '../stores/annotations.ts';
import { useHistoryStore } from '../stores/history.ts';
import type { FramePoint } from '../utils/maskPainting.ts';
import type { MaskTarget } from './useMaskEditing.ts';

/** A press that moves less than this many screen pixels is a click, not a box. */
const DRAG_THRESHOLD_CSS_PX = 6;

/**
 * The click tool on mask objects: left click = object, right click or Alt+click = background, drag = a box around
 * the object. Each click sends every click made on this object and frame so far (and the box) to the engine, which
 * refines the mask and saves it as a keyframe (one undo step per click). The clicks start over on another object or
 * frame, and after an undo or redo (the stored mask is then the starting point).
 */
export function useClickSegmenting(target: () => MaskTarget | undefined, clientToFrame: (x: number, y: number) => FramePoint, pixelsPerFramePixel: () => number) {
  const annotations = useAnnotationsStore();
  const history = useHistoryStore();
  /** Clicks of the current sequence, drawn as markers. */
  const clicks = ref<SegmentationClickValue[]>([]);
  /** The box of the current sequence, or the box being dragged. */
  const box = ref<ClickSegmentRequest['box']>();
  let sequence: { objectId: string; frameIndex: number } | undefined;
  let press: { start: FramePoint; clientX: number; clientY: number; positive: boolean; pointerId: number; dragging: boolean } | undefined;

  function reset(): void {
    clicks.value = [];
    box.value = undefined;
    sequence = undefined;
  }

  watch(() => history.lastChange, reset);

  function clampToFrame(point: FramePoint, of: MaskTarget): FramePoint {
    return { x: Math.min(of.width - 1, Math.max(0, point.x)), y: Math.min(of.height - 1, Math.max(0, point.y)) };
  }

  function onPointerDown(event: PointerEvent): boolean {
    const of = target();
    if (!of || of.kind !== 'mask' || (event.button !== 0 && event.button !== 2)) return false;
    if (!sequence || sequence.objectId !== of.objectId || sequence.frameIndex !== of.frameIndex) {
      reset();
      sequence = { objectId: of.objectId, frameIndex: of.frameIndex };
    }
    const start = clientToFrame(event.clientX, event.clientY);
    press = { start, clientX: event.clientX, clientY: event.clientY, positive: event.button === 0 && !event.altKey, pointerId: event.pointerId, dragging: false };
    (event.currentTarget as Element | null)?.setPointerCapture?.(event.pointerId);
    return true;
  }

  function onPointerMove(event: PointerEvent): void {
    if (!press || event.pointerId !== press.pointerId || !press.positive) return;
    if (!press.dragging && Math.hypot(event.clientX - press.clientX, event.clientY - press.clientY) < DRAG_THRESHOLD_CSS_PX) return;
    press.dragging = true;
    const end = clientToFrame(event.clientX, event.clientY);
    box.value = {
      x0: Math.min(press.start.x, end.x), y0: Math.min(press.start.y, end.y),
      x1: Math.max(press.start.x, end.x), y1: Math.max(press.start.y, end.y),
    };
  }

  function onPointerUp(event: PointerEvent): boolean {
    const of = target();
    const finished = press;
    if (!finished || event.pointerId !== finished.pointerId) return false;
    press = undefined;
    if (!of || !sequence || sequence.objectId !== of.objectId || sequence.frameIndex !== of.frameIndex) return true;
    if (finished.dragging && box.value) {
      // A box starts the object over: it is the prior, the clicks that follow refine it.
      const dragged = box.value;
      const tooSmall = (dragged.x1 - dragged.x0) * pixelsPerFramePixel() < DRAG_THRESHOLD_CSS_PX || (dragged.y1 - dragged.y0) * pixelsPerFramePixel() < DRAG_THRESHOLD_CSS_PX;
      if (tooSmall) {
        box.value = undefined;
        return true;
      }
      const clamped = { x0: Math.max(0, dragged.x0), y0: Math.max(0, dragged.y0), x1: Math.min(of.width, dragged.x1), y1: Math.min(of.height, dragged.y1) };
      box.value = clamped;
      clicks.value = [];
      void annotations.segmentByClicks(of.objectId, of.frameIndex, [], clamped);
      return true;
    }
    const point = clampToFrame(finished.start, of);
    clicks.value = [...clicks.value, { x: Math.round(point.x * 10) / 10, y: Math.round(point.y * 10) / 10, positive: finished.positive }];
    void annotations.segmentByClicks(of.objectId, of.frameIndex, clicks.value, box.value);
    return true;
  }

  return { clicks, box, onPointerDown, onPointerMove, onPointerUp, reset };
}
