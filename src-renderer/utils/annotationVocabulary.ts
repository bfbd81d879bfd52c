import type { KeypointValue, KeypointVisibility, LabelSet } from '../../src-main/core/api/contract.ts';

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

/** Bones of a skeleton as [from, to] joint pairs (its own edges). */
export function skeletonBones(set: Pick<LabelSet, 'edges'> | undefined): readonly (readonly [number, number])[] {
  return set ? set.edges : jhmdbBones;
}

/** Joint names of a skeleton (JHMDB's while its set is not loaded yet). */
export function jointNamesOf(set: Pick<LabelSet, 'joints'> | undefined): readonly string[] {
  return set ? set.joints.map((joint) => joint.name) : jhmdbJointNames;
}

/**
 * Left/right side of a joint for limb colours: the left member of a flip pair is 'left', the other 'right'; joints
 * in no pair are 'centre'. Without a set, JHMDB's names decide.
 */
export function jointSideIn(set: Pick<LabelSet, 'flipPairs' | 'joints'> | undefined, jointIndex: number): 'left' | 'right' | 'centre' {
  if (!set) return jointSide(jointIndex);
  for (const [a, b] of set.flipPairs) {
    if (jointIndex !== a && jointIndex !== b) continue;
    const other = jointIndex === a ? b : a;
    const name = set.joints[jointIndex]?.name ?? '';
    if (/^left\b|^l[ _]/i.test(name)) return 'left';
    if (/^right\b|^r[ _]/i.test(name)) return 'right';
    return jointIndex < other ? 'left' : 'right';
  }
  return 'centre';
}

/** Absent joints for a skeleton of `count` joints (before anything is placed on a frame). */
export function absentJoints(count: number): KeypointValue[] {
  return Array.from({ length: count }, () => ({ x: 0, y: 0, visibility: 0 as const }));
}

/** Classes of a part set the brush can paint (background excluded), with their ids and colours. */
export function partClassesOf(set: Pick<LabelSet, 'classes'> | undefined): Array<{ id: number; name: string; color: string }> {
  const classes = set ? set.classes.map((entry, id) => ({ id, name: entry.name, color: entry.color })) : vipClassNames.map((name, id) => ({ id, name, color: '' }));
  return classes.slice(1);
}

/** '#rrggbb' → [r, g, b]. */
export function hexToRgb(hex: string): readonly [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}
