/**
 * The 15 JHMDB joints in file order (SPEC §3.1: 0 neck, 1 belly, 2 face, 3/4 R/L shoulder, 5/6 R/L hip, 7/8 R/L elbow,
 * 9/10 R/L knee, 11/12 R/L wrist, 13/14 R/L ankle), with COCO-style names.
 */
export const jhmdbJointNames: readonly string[] = [
  'neck', 'belly', 'face', 'right_shoulder', 'left_shoulder', 'right_hip', 'left_hip', 'right_elbow', 'left_elbow',
  'right_knee', 'left_knee', 'right_wrist', 'left_wrist', 'right_ankle', 'left_ankle',
];

/** Parent of each joint in the CRW `vis_pose` skeleton (SPEC §3.1); the belly is the root. */
const jhmdbParents = [1, -1, 0, 0, 0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10];

/** COCO `skeleton`: 1-based joint pairs (child, parent). */
export const jhmdbSkeleton: ReadonlyArray<[number, number]> = jhmdbParents.flatMap((parent, joint) =>
  parent < 0 ? [] : [[joint + 1, parent + 1] as [number, number]],
);

/** Names for a keypoints object of `count` points: the JHMDB joints for 15, else joint_1..joint_count. */
export function keypointNames(count: number): string[] {
  return count === jhmdbJointNames.length ? [...jhmdbJointNames] : Array.from({ length: count }, (_, i) => `joint_${i + 1}`);
}
