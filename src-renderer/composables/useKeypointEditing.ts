import { ref } from 'vue';
import type { KeypointValue } from '../../src-main/core/api/contract.ts';
import { useAnnotationsStore } from '../stores/annotations.ts';
import { useEditorStore } from '../stores/editor.ts';
import { nextVisibility } from '../utils/annotationVocabulary.ts';
import type { FramePoint } from '../utils/maskPainting.ts';

/** The keypoint object and frame being edited, with its skeleton's joints there (absent ones included). */
export interface KeypointTarget {
  objectId: string;
  frameIndex: number;
  keypoints: KeypointValue[];
  /** Visibility a joint gets when first placed (the skeleton's default; absent counts as visible). */
  defaultVisibilities?: ReadonlyArray<0 | 1 | 2>;
}

/** How close to a joint (CSS pixels) a press grabs it. */
const grabRadiusPx = 9;

/**
 * Joint placement on the active keypoint object: a click places the active joint and moves on to the next absent
 * one, a drag moves a placed joint, right-click (or V for the active joint) cycles visible → occluded → absent.
 * Every change is saved as the object's keyframe on this frame.
 */
export function useKeypointEditing(target: () => KeypointTarget | undefined, clientToFrame: (x: number, y: number) => FramePoint, pixelsPerFramePixel: () => number) {
  const editor = useEditorStore();
  const annotations = useAnnotationsStore();
  const hoveredJoint = ref<number>();
  let drag: { target: KeypointTarget; joint: number; keypoints: KeypointValue[]; moved: boolean; pointerId: number } | undefined;

  function jointAt(of: KeypointTarget, point: FramePoint): number | undefined {
    const radius = grabRadiusPx / pixelsPerFramePixel();
    let best: number | undefined;
    let bestDistance = radius;
    of.keypoints.forEach((joint, index) => {
      if (joint.visibility === 0) return;
      const distance = Math.hypot(joint.x - point.x, joint.y - point.y);
      if (distance <= bestDistance) {
        best = index;
        bestDistance = distance;
      }
    });
    return best;
  }

  function commit(of: KeypointTarget, keypoints: KeypointValue[]): void {
    void annotations.commitKeypoints(of.objectId, of.frameIndex, keypoints);
  }

  /** The next joint after `from` still absent, so clicks place joints in order. */
  function nextAbsentJoint(keypoints: KeypointValue[], from: number): number {
    for (let step = 1; step <= keypoints.length; step++) {
      const index = (from + step) % keypoints.length;
      if (keypoints[index].visibility === 0) return index;
    }
    return from;
  }

  function onPointerDown(event: PointerEvent): boolean {
    const of = target();
    if (!of || (event.button !== 0 && event.button !== 2)) return false;
    const point = clientToFrame(event.clientX, event.clientY);
    const hit = jointAt(of, point);
    if (event.button === 2) {
      if (hit !== undefined) cycleVisibility(hit);
      return true;
    }
    if (hit !== undefined) {
      editor.activeJoint = hit;
      drag = { target: of, joint: hit, keypoints: of.keypoints.map((joint) => ({ ...joint })), moved: false, pointerId: event.pointerId };
      (event.currentTarget as Element | null)?.setPointerCapture?.(event.pointerId);
      return true;
    }
    const joint = Math.min(of.keypoints.length - 1, Math.max(0, editor.activeJoint));
    const keypoints = of.keypoints.map((value) => ({ ...value }));
    const previous = keypoints[joint].visibility;
    keypoints[joint] = { x: point.x, y: point.y, visibility: previous === 0 ? of.defaultVisibilities?.[joint] || 2 : previous };
    commit(of, keypoints);
    editor.activeJoint = nextAbsentJoint(keypoints, joint);
    return true;
  }

  function onPointerMove(event: PointerEvent): void {
    const of = target();
    const point = clientToFrame(event.clientX, event.clientY);
    if (drag && event.pointerId === drag.pointerId) {
      drag.keypoints[drag.joint] = { ...drag.keypoints[drag.joint], x: point.x, y: point.y };
      drag.moved = true;
      editor.showLiveEdit({ objectId: drag.target.objectId, frameIndex: drag.target.frameIndex, keypoints: drag.keypoints });
      return;
    }
    hoveredJoint.value = of ? jointAt(of, point) : undefined;
  }

  function onPointerUp(event: PointerEvent): boolean {
    if (!drag || event.pointerId !== drag.pointerId) return false;
    const finished = drag;
    drag = undefined;
    editor.showLiveEdit(undefined);
    if (finished.moved) commit(finished.target, finished.keypoints);
    return true;
  }

  function cycleVisibility(joint = editor.activeJoint): void {
    const of = target();
    if (!of || !of.keypoints[joint]) return;
    const keypoints = of.keypoints.map((value) => ({ ...value }));
    const current = keypoints[joint];
    // An absent joint made visible again keeps its old place if it had one, else waits for a click.
    if (current.visibility === 0 && current.x === 0 && current.y === 0) {
      editor.activeJoint = joint;
      return;
    }
    keypoints[joint] = { ...current, visibility: nextVisibility(current.visibility) };
    editor.activeJoint = joint;
    commit(of, keypoints);
  }

  return { hoveredJoint, onPointerDown, onPointerMove, onPointerUp, cycleVisibility };
}
