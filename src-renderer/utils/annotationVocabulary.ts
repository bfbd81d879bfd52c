import type { KeypointValue, KeypointVisibility } from '../../src-main/core/api/contract.ts';

/**
 * The VIP part classes, id = index (SPEC §4, the order `vipFormat.ts` and `vipMiou.ts` use), so a part painted
 * here exports and scores as that class. 0 is background: the eraser's value.
 */
export const vipClassNames: readonly string[] = [
  'background', 'hat', 'hair', 'sun-glasses', 'upper-clothes', 'dress', 'coat', 'socks', 'pants', 'gloves', 'scarf',
  'skirt', 'torso-skin', 'face', 'right-arm', 'left-arm', 'right-leg', 'left-leg', 'right-shoe', 'left-shoe',
];

/** The 15 JHMDB joints in file order (SPEC §3.1). */
export const jhmdbJointNames: readonly string[] = [
  'neck', 'belly', 'face', 'right shoulder', 'left shoulder', 'right hip', 'left hip', 'right elbow', 'left elbow',
  'right knee', 'left knee', 'right wrist', 'left wrist', 'right ankle', 'left ankle',
];

/** Parent of each joint in the skeleton (SPEC §3.1, the CRW `vis_pose` tree; the belly is the root). */
const jhmdbJointParents: readonly (number | null)[] = [1, null, 0, 0, 0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10];

/** Bones as [child, parent] joint index pairs. */
export const jhmdbBones: readonly (readonly [number, number])[] = jhmdbJointParents.flatMap((parent, child) =>
  parent === null ? [] : [[child, parent] as const],
);

/** Left/right side of a joint, for colouring limbs ('centre' for neck, belly and face). */
export function jointSide(jointIndex: number): 'left' | 'right' | 'centre' {
  const name = jhmdbJointNames[jointIndex] ?? '';
  if (name.startsWith('left')) return 'left';
  if (name.startsWith('right')) return 'right';
  return 'centre';
}

/** visible → occluded → absent → visible (V or right-click on a joint). */
export function nextVisibility(visibility: KeypointVisibility): KeypointVisibility {
  return visibility === 2 ? 1 : visibility === 1 ? 0 : 2;
}

export const visibilityNames: Record<KeypointVisibility, string> = { 0: 'absent', 1: 'occluded', 2: 'visible' };

/** 15 absent joints: a skeleton before the annotator has placed anything on a frame. */
export function absentSkeleton(): KeypointValue[] {
  return jhmdbJointNames.map(() => ({ x: 0, y: 0, visibility: 0 as const }));
}
