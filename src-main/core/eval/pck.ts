/** PCK thresholds reported by videowalk `eval/eval_pck.py` (fractions of the human box size). */
export const PCK_THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5] as const;

/** JHMDB joints: neck, belly, face, R/L shoulder, R/L hip, R/L elbow, R/L knee, R/L wrist, R/L ankle (SPEC §3.1). */
export const JHMDB_JOINT_COUNT = 15;

/** Keypoints of one video in 0-based image pixels. */
export interface PoseSequence {
  frameCount: number;
  jointCount: number;
  /** T×J×2 (x, y), frame-major — the memory order of a MATLAB 2×J×T `pos_img` */
  coordinates: Float64Array;
}

/** A joint counts as visible when its PREDICTED x is ≥ 0 (SPEC §3.4: visibility comes from the prediction). */
function isVisible(prediction: PoseSequence, frame: number, joint: number): boolean {
  return prediction.coordinates[(frame * prediction.jointCount + joint) * 2] >= 0;
}

/**
 * Per-frame normaliser: 0.6 × the diagonal of the GT box around the joints visible in the prediction (SPEC §3.4).
 * QUIRK: the box starts as min = 1e6, max = −1 like eval_pck.py, so GT coordinates below −1 never lower the max.
 * @returns length T
 */
export function humanBoxSizes(gt: PoseSequence, prediction: PoseSequence): Float64Array {
  const sizes = new Float64Array(gt.frameCount);
  for (let frame = 0; frame < gt.frameCount; frame++) {
    let minX = 1e6;
    let maxX = -1;
    let minY = 1e6;
    let maxY = -1;
    for (let joint = 0; joint < gt.jointCount; joint++) {
      if (!isVisible(prediction, frame, joint)) continue;
      const at = (frame * gt.jointCount + joint) * 2;
      minX = Math.min(minX, gt.coordinates[at]);
      maxX = Math.max(maxX, gt.coordinates[at]);
      minY = Math.min(minY, gt.coordinates[at + 1]);
      maxY = Math.max(maxY, gt.coordinates[at + 1]);
    }
    const width = maxX - minX;
    const height = maxY - minY;
    sizes[frame] = 0.6 * Math.sqrt(width * width + height * height);
  }
  return sizes;
}

/**
 * Appends, per joint, the box-normalised distances of every visible joint in frames 1..T−1 (frame 0 is the given
 * annotation and is skipped). A zero box gives Infinity or NaN, which never counts as correct — as in numpy.
 * @param distancesPerJoint J lists, accumulated over all videos
 */
export function addNormalisedDistances(gt: PoseSequence, prediction: PoseSequence, distancesPerJoint: number[][]): void {
  if (gt.frameCount !== prediction.frameCount || gt.jointCount !== prediction.jointCount) {
    throw new RangeError(
      `prediction has ${prediction.frameCount}×${prediction.jointCount} frames×joints, GT has ${gt.frameCount}×${gt.jointCount}`,
    );
  }
  const boxSizes = humanBoxSizes(gt, prediction);
  for (let joint = 0; joint < gt.jointCount; joint++) {
    for (let frame = 1; frame < gt.frameCount; frame++) {
      if (!isVisible(prediction, frame, joint)) continue;
      const at = (frame * gt.jointCount + joint) * 2;
      const dx = prediction.coordinates[at] - gt.coordinates[at];
      const dy = prediction.coordinates[at + 1] - gt.coordinates[at + 1];
      distancesPerJoint[joint].push(Math.sqrt(dx * dx + dy * dy) / boxSizes[frame]);
    }
  }
}

export interface PckResult {
  /** percent per joint; NaN for a joint never visible (the reference divides by zero there) */
  perJoint: number[];
  /** percent, plain mean over the joints */
  mean: number;
}

/** PCK@alpha = 100 × share of distances ≤ alpha, per joint, then averaged over joints (SPEC §3.4). */
export function pckFromDistances(distancesPerJoint: number[][], alpha: number): PckResult {
  const perJoint = distancesPerJoint.map((distances) =>
    distances.length === 0 ? Number.NaN : (100 * distances.filter((d) => d <= alpha).length) / distances.length,
  );
  const mean = perJoint.reduce((sum, value) => sum + value, 0) / perJoint.length;
  return { perJoint, mean };
}

/** PCK over several videos, distances pooled per joint across videos as eval_pck.py does. */
export function computePck(
  videos: Array<{ gt: PoseSequence; prediction: PoseSequence }>,
  thresholds: readonly number[] = PCK_THRESHOLDS,
): PckResult[] {
  const jointCount = videos[0]?.gt.jointCount ?? JHMDB_JOINT_COUNT;
  const distancesPerJoint: number[][] = Array.from({ length: jointCount }, () => []);
  for (const { gt, prediction } of videos) addNormalisedDistances(gt, prediction, distancesPerJoint);
  return thresholds.map((alpha) => pckFromDistances(distancesPerJoint, alpha));
}
