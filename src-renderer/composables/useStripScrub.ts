import { ref, type Ref } from 'vue';
import { frameIndexAt } from '../utils/timelineGeometry.ts';

/**
 * Click-and-drag scrubbing on a strip element: the pointer is captured on press, so a drag keeps scrubbing even
 * when it leaves the strip, and each move reports the frame under the pointer (clamped to the clip).
 */
export function useStripScrub(strip: Ref<HTMLElement | undefined>, frameCount: () => number, seek: (frameIndex: number) => void) {
  const scrubbing = ref(false);

  function frameUnder(event: PointerEvent): number {
    const box = strip.value!.getBoundingClientRect();
    return frameIndexAt(event.clientX - box.left, box.width, frameCount());
  }

  function onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 || !strip.value || frameCount() === 0) return;
    event.preventDefault();
    strip.value.setPointerCapture(event.pointerId);
    scrubbing.value = true;
    seek(frameUnder(event));
  }

  function onPointerMove(event: PointerEvent): void {
    if (scrubbing.value && strip.value) seek(frameUnder(event));
  }

  function onPointerUp(event: PointerEvent): void {
    if (!scrubbing.value) return;
    scrubbing.value = false;
    strip.value?.releasePointerCapture(event.pointerId);
  }

  return { scrubbing, onPointerDown, onPointerMove, onPointerUp };
}
