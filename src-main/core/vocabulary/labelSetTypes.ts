/**
 * The shapes of a label set (issue 21), shared by the store, the formats and the contract (which re-exports them):
 * they sit here, low in core's order, so the store and the formats need not reach up to the API.
 */

/** 0 = absent, 1 = occluded, 2 = visible (COCO convention). */
export type KeypointVisibility = 0 | 1 | 2;

/**
 * What a label set holds: 'classes' = object classes for mask objects; 'parts' = part classes of a part object's
 * label map (entry 0 is the background, value = index, at most `MAX_PART_CLASSES` entries because a label map holds
 * one byte per pixel); 'skeleton' = keypoint joints with edges and left/right flip pairs.
 */
export type LabelSetKind = 'classes' | 'parts' | 'skeleton';

export interface LabelClass {
  name: string;
  /** CSS hex colour, '#rrggbb'. */
  color: string;
}

export interface SkeletonJoint {
  name: string;
  /** Visibility a joint gets when the annotator starts a skeleton on a frame (0 absent, 1 occluded, 2 visible). */
  defaultVisibility: KeypointVisibility;
}

/** A label set as the annotator defines it (classes for 'classes'/'parts', joints/edges/flipPairs for 'skeleton'). */
export interface LabelSetDefinition {
  kind: LabelSetKind;
  name: string;
  classes: LabelClass[];
  joints: SkeletonJoint[];
  /** Bones as pairs of joint indices (0-based). */
  edges: Array<[number, number]>;
  /** Left/right joint pairs, swapped when a skeleton is mirrored. */
  flipPairs: Array<[number, number]>;
}

export interface LabelSetPreset extends LabelSetDefinition {
  preset: string;
  description: string;
}
