import { ref } from 'vue';
import { useAnnotationsStore } from '../stores/annotations.ts';
import { useEditorStore } from '../stores/editor.ts';
import { fillHoles as fillMaskHoles, fillPolygon, paintStroke, type FramePoint, type LabelMap } from '../utils/maskPainting.ts';

/** The object and frame the mask tools edit, with the label it holds there now (if any). */
export interface MaskTarget {
  objectId: string;
  kind: 'mask' | 'part';
  frameIndex: number;
  width: number;
  height: number;
  current?: Uint8Array;
  /** Where `current` came from: touching a propagated label with a tool accepts it as a keyframe. */
  currentSource?: 'user' | 'propagated';
}

/**
 * Brush, eraser and polygon on the active mask/part object. A stroke paints into a copy of the object's label on
 * this frame, shown live through the editor store, and is saved as one keyframe edit when the button is released;
 * a polygon collects clicks and fills when closed (Enter or double-click; Alt erases instead). A stroke on a
 * propagated label saves even when it changed no pixel: the annotator has checked it, so it becomes a keyframe.
 */
export function useMaskEditing(target: () => MaskTarget | undefined, clientToFrame: (x: number, y: number) => FramePoint, pixelsPerFramePixel: () => number) {
  const editor = useEditorStore();
  const annotations = useAnnotationsStore();
  /** Where the pointer is, in frame coordinates (the brush cursor), while over the viewport. */
  const cursor = ref<FramePoint>();
  const polygon = ref<FramePoint[]>([]);
  let stroke: { map: LabelMap; target: MaskTarget; last: FramePoint; value: number; changed: number; pointerId: number } | undefined;
  let polygonTarget: { objectId: string; frameIndex: number } | undefined;

  const paintValue = (kind: MaskTarget['kind']) => (kind === 'part' ? editor.partClass : 1);

  function workingCopy(of: MaskTarget): LabelMap {
    const data = new Uint8Array(of.width * of.height);
    if (of.current?.length === data.length) data.set(of.current);
    return { width: of.width, height: of.height, data };
  }

  /** Left button on the frame: starts a stroke or adds a polygon point. Returns whether it handled the event. */
  function onPointerDown(event: PointerEvent): boolean {
    const of = target();
    if (!of || event.button !== 0) return false;
    const point = clientToFrame(event.clientX, event.clientY);
    if (editor.tool === 'polygon') {
      if (polygonTarget && (polygonTarget.objectId !== of.objectId || polygonTarget.frameIndex !== of.frameIndex)) polygon.value = [];
      polygonTarget = { objectId: of.objectId, frameIndex: of.frameIndex };
      polygon.value = [...polygon.value, point];
      return true;
    }
    const map = workingCopy(of);
    const value = editor.tool === 'eraser' ? 0 : paintValue(of.kind);
    const changed = paintStroke(map, point, point, editor.brushSizePx / 2, value);
    stroke = { map, target: of, last: point, value, changed, pointerId: event.pointerId };
    (event.currentTarget as Element | null)?.setPointerCapture?.(event.pointerId);
    editor.showLiveEdit({ objectId: of.objectId, frameIndex: of.frameIndex, mask: map.data });
    return true;
  }

  function onPointerMove(event: PointerEvent): void {
    cursor.value = clientToFrame(event.clientX, event.clientY);
    if (!stroke || event.pointerId !== stroke.pointerId) return;
    // Coalesced events keep fast strokes round instead of polygonal.
    const samples = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    for (const sample of samples.length > 0 ? samples : [event]) {
      const point = clientToFrame(sample.clientX, sample.clientY);
      stroke.changed += paintStroke(stroke.map, stroke.last, point, editor.brushSizePx / 2, stroke.value);
      stroke.last = point;
    }
    editor.showLiveEdit({ objectId: stroke.target.objectId, frameIndex: stroke.target.frameIndex, mask: stroke.map.data });
  }

  function onPointerUp(event: PointerEvent): boolean {
    if (!stroke || event.pointerId !== stroke.pointerId) return false;
    const finished = stroke;
    stroke = undefined;
    editor.showLiveEdit(undefined);
    const accepted = finished.target.currentSource === 'propagated';
    if (finished.changed > 0 || accepted) {
      void annotations.commitMask(finished.target.objectId, finished.target.frameIndex, finished.map.data, finished.value === 0 ? 'eraser' : 'brush');
    }
    return true;
  }

  function onPointerLeave(): void {
    if (!stroke) cursor.value = undefined;
  }

  /** Closes and fills the polygon (value 0 with `erase`). */
  function closePolygon(erase = false): boolean {
    const of = target();
    let points = polygon.value;
    polygon.value = [];
    if (!of || !polygonTarget || polygonTarget.objectId !== of.objectId || polygonTarget.frameIndex !== of.frameIndex) return false;
    // A double-click adds its point twice.
    const tolerance = 3 / pixelsPerFramePixel();
    points = points.filter((point, index) => index === 0 || Math.hypot(point.x - points[index - 1].x, point.y - points[index - 1].y) > tolerance);
    if (points.length < 3) return false;
    const map = workingCopy(of);
    if (fillPolygon(map, points, erase ? 0 : paintValue(of.kind)) > 0) void annotations.commitMask(of.objectId, of.frameIndex, map.data, 'polygon');
    return true;
  }

  function cancelPolygon(): boolean {
    const had = polygon.value.length > 0;
    polygon.value = [];
    return had;
  }

  function removeLastPolygonPoint(): boolean {
    if (polygon.value.length === 0) return false;
    polygon.value = polygon.value.slice(0, -1);
    return true;
  }

  /** Fills the holes of the active object's region on this frame (with the part class for part objects). */
  function fillHoles(): void {
    const of = target();
    if (!of?.current) return;
    const map = workingCopy(of);
    if (fillMaskHoles(map, paintValue(of.kind)) > 0) void annotations.commitMask(of.objectId, of.frameIndex, map.data, 'fillHoles');
  }

  return { cursor, polygon, onPointerDown, onPointerMove, onPointerUp, onPointerLeave, closePolygon, cancelPolygon, removeLastPolygonPoint, fillHoles };
}
