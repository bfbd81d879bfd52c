import { computed, onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue';
import type { FramePoint } from '../utils/maskPainting.ts';

/** Zoom limits relative to "fit" (1 = the whole frame fits the viewport). */
export const zoomLimits = { min: 0.25, max: 32 } as const;
/** Room left around the fitted frame, in CSS pixels. */
const marginPx = 16;

/**
 * Zoom and pan of the frame in its viewport. The stage (frame, overlay and tool layers, all sized in frame pixels)
 * is placed at `stageBox`; `clientToFrame` maps a pointer to frame coordinates. The wheel zooms about the pointer,
 * and a pan moves the stage with the pointer. A new frame size (another clip) fits again.
 */
export function useViewTransform(viewport: Ref<HTMLElement | undefined>, frameSize: () => { width: number; height: number } | undefined) {
  const viewportWidth = ref(0);
  const viewportHeight = ref(0);
  const zoom = ref(1);
  const panX = ref(0);
  const panY = ref(0);
  const panning = ref(false);
  let panStart: { clientX: number; clientY: number; panX: number; panY: number; pointerId: number } | undefined;

  const fitScale = computed(() => {
    const size = frameSize();
    if (!size || size.width <= 0 || size.height <= 0) return 1;
    const width = Math.max(1, viewportWidth.value - 2 * marginPx);
    const height = Math.max(1, viewportHeight.value - 2 * marginPx);
    return Math.min(width / size.width, height / size.height);
  });
  /** CSS pixels per frame pixel. */
  const scale = computed(() => fitScale.value * zoom.value);
  const stageBox = computed(() => {
    const size = frameSize() ?? { width: 0, height: 0 };
    const width = size.width * scale.value;
    const height = size.height * scale.value;
    return {
      left: (viewportWidth.value - width) / 2 + panX.value,
      top: (viewportHeight.value - height) / 2 + panY.value,
      width,
      height,
    };
  });

  function clientToFrame(clientX: number, clientY: number): FramePoint {
    const box = viewport.value?.getBoundingClientRect();
    const left = (box?.left ?? 0) + stageBox.value.left;
    const top = (box?.top ?? 0) + stageBox.value.top;
    return { x: (clientX - left) / scale.value, y: (clientY - top) / scale.value };
  }

  /** Multiplies the zoom by `factor`, keeping the frame point under (clientX, clientY) where it is. */
  function zoomAt(clientX: number, clientY: number, factor: number): void {
    const before = clientToFrame(clientX, clientY);
    zoom.value = Math.min(zoomLimits.max, Math.max(zoomLimits.min, zoom.value * factor));
    const after = clientToFrame(clientX, clientY);
    panX.value += (after.x - before.x) * scale.value;
    panY.value += (after.y - before.y) * scale.value;
  }

  function onWheel(event: WheelEvent): void {
    event.preventDefault();
    // Pixel-mode wheels send ~100 per notch; trackpads send small steps: both zoom smoothly.
    const delta = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaY;
    zoomAt(event.clientX, event.clientY, Math.exp(-delta * 0.0015));
  }

  function fit(): void {
    zoom.value = 1;
    panX.value = 0;
    panY.value = 0;
  }

  function startPan(event: PointerEvent): void {
    panStart = { clientX: event.clientX, clientY: event.clientY, panX: panX.value, panY: panY.value, pointerId: event.pointerId };
    panning.value = true;
    (event.currentTarget as Element | null)?.setPointerCapture?.(event.pointerId);
  }

  /** Returns true while a pan owns the pointer. */
  function movePan(event: PointerEvent): boolean {
    if (!panStart || event.pointerId !== panStart.pointerId) return false;
    panX.value = panStart.panX + event.clientX - panStart.clientX;
    panY.value = panStart.panY + event.clientY - panStart.clientY;
    return true;
  }

  function endPan(event: PointerEvent): boolean {
    if (!panStart || event.pointerId !== panStart.pointerId) return false;
    panStart = undefined;
    panning.value = false;
    return true;
  }

  let observer: ResizeObserver | undefined;
  onMounted(() => {
    observer = new ResizeObserver(([entry]) => {
      viewportWidth.value = entry.contentRect.width;
      viewportHeight.value = entry.contentRect.height;
    });
    if (viewport.value) observer.observe(viewport.value);
  });
  onBeforeUnmount(() => observer?.disconnect());
  watch(() => `${frameSize()?.width}x${frameSize()?.height}`, fit);

  return { zoom, scale, stageBox, panning, clientToFrame, zoomAt, onWheel, fit, startPan, movePan, endPan };
}
