import { computed } from 'vue';
import type { FrameAnnotations, ObjectSummary } from '../../src-main/core/api/contract.ts';
import type { SkeletonView } from '../components/FrameKeypointLayer.vue';
import { useAnnotationsStore } from '../stores/annotations.ts';
import { useEditorStore } from '../stores/editor.ts';
import { useObjectsStore } from '../stores/objects.ts';
import { usePlayerStore } from '../stores/player.ts';
import { useVocabulariesStore } from '../stores/vocabularies.ts';
import { absentJoints, hexToRgb, jointNamesOf, jointSideIn, skeletonBones } from '../utils/annotationVocabulary.ts';
import type { OverlayLayer } from '../utils/overlayRendering.ts';
import { vocColour, vocCss } from '../utils/vocPalette.ts';
import type { KeypointTarget } from './useKeypointEditing.ts';
import type { MaskTarget } from './useMaskEditing.ts';

/**
 * What the frame view draws and edits, derived from the stores: the labels of the frame on screen (only when the
 * loaded labels belong to the frame the canvas shows), with the edit in progress in place of its stored label, and
 * the active object as a mask or keypoint target once the playhead's frame and its labels are both in.
 */
export function useEditorTargets() {
  const player = usePlayerStore();
  const objects = useObjectsStore();
  const annotations = useAnnotationsStore();
  const editor = useEditorStore();
  const vocabularies = useVocabulariesStore();

  /**
   * The labels matching the picture on screen: the canvas's frame, or the playhead's while its thumbnail stands in
   * for it (so a frame's masks show as soon as they are loaded, before the full frame has decoded).
   */
  const shownLabels = computed<FrameAnnotations | undefined>(() => {
    const labels = annotations.frame;
    if (!labels) return undefined;
    if (player.frame && labels.frameIndex === player.frame.frameIndex) return labels;
    return !player.frameIsCurrent && player.placeholderUrl && labels.frameIndex === player.frameIndex ? labels : undefined;
  });
  /** The frame edits go to: the playhead's, once its picture and labels are both on screen. */
  const editableFrameIndex = computed(() => {
    const labels = shownLabels.value;
    return labels && labels.frameIndex === player.frameIndex && player.frameIsCurrent ? labels.frameIndex : undefined;
  });

  /** An object's label on the shown frame, or the edit in progress on it. */
  function labelOf(object: ObjectSummary) {
    const labels = shownLabels.value;
    if (!labels) return undefined;
    const live = editor.liveEdit;
    if (live && live.objectId === object.id && live.frameIndex === labels.frameIndex) return live;
    return labels.annotations.find((annotation) => annotation.objectId === object.id);
  }

  /** Visible objects in list order with the active one last, so it is drawn on top. */
  const drawOrder = computed(() => {
    const visible = objects.objects.filter((object) => !object.hidden);
    return [...visible.filter((o) => o.id !== objects.activeObjectId), ...visible.filter((o) => o.id === objects.activeObjectId)];
  });

  const layers = computed<OverlayLayer[]>(() => {
    void annotations.revision;
    void editor.liveRevision;
    return drawOrder.value.flatMap((object) => {
      if (object.kind === 'keypoints') return [];
      const mask = labelOf(object)?.mask;
      const set = object.kind === 'part' ? vocabularies.labelSetOf(object) : undefined;
      const classColours = set?.classes.map((entry) => hexToRgb(entry.color));
      return mask ? [{ mask, colour: vocColour(object.paletteIndex), kind: object.kind, ...(classColours ? { classColours } : {}) }] : [];
    });
  });

  const skeletons = computed<SkeletonView[]>(() => {
    void annotations.revision;
    void editor.liveRevision;
    return drawOrder.value.flatMap((object) => {
      if (object.kind !== 'keypoints') return [];
      const keypoints = labelOf(object)?.keypoints;
      if (!keypoints) return [];
      const set = vocabularies.labelSetOf(object);
      const sides = keypoints.map((_, index) => jointSideIn(set, index));
      return [{ objectId: object.id, colour: vocCss(object.paletteIndex), keypoints, active: object.id === objects.activeObjectId, bones: skeletonBones(set), names: jointNamesOf(set), sides }];
    });
  });

  const activeObject = computed(() => {
    const object = objects.activeObject;
    return object && !object.hidden ? object : undefined;
  });

  function maskTarget(): MaskTarget | undefined {
    const object = activeObject.value;
    const frameIndex = editableFrameIndex.value;
    const labels = shownLabels.value;
    if (!object || object.kind === 'keypoints' || frameIndex === undefined || !labels) return undefined;
    const stored = labels.annotations.find((annotation) => annotation.objectId === object.id);
    return { objectId: object.id, kind: object.kind, frameIndex, width: labels.width, height: labels.height, current: stored?.mask, currentSource: stored?.source };
  }

  function keypointTarget(): KeypointTarget | undefined {
    const object = activeObject.value;
    const frameIndex = editableFrameIndex.value;
    const labels = shownLabels.value;
    if (!object || object.kind !== 'keypoints' || frameIndex === undefined || !labels) return undefined;
    const stored = labels.annotations.find((annotation) => annotation.objectId === object.id)?.keypoints;
    const set = vocabularies.labelSetOf(object);
    const keypoints = absentJoints(jointNamesOf(set).length).map((absent, index) => stored?.[index] ?? absent);
    return { objectId: object.id, frameIndex, keypoints, defaultVisibilities: set?.joints.map((joint) => joint.defaultVisibility) };
  }

  return { shownLabels, editableFrameIndex, layers, skeletons, activeObject, maskTarget, keypointTarget };
}
