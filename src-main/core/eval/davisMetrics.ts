import { boundaryMap } from './boundaryMap.ts';
import { dilateWithDisk } from './diskDilation.ts';

/** Default boundary tolerance of davis2017-evaluation: a fraction of the image diagonal (SPEC §1.4). */
export const DAVIS_BOUND_THRESHOLD = 0.008;

/** @returns H×W 0/1 mask of the pixels whose id equals `objectId` */
export function objectMask(ids: Uint8Array, objectId: number): Uint8Array {
  const mask = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) if (ids[i] === objectId) mask[i] = 1;
  return mask;
}

/**
 * Region similarity J = |gt ∩ result| / |gt ∪ result| (`db_eval_iou`, SPEC §1.3). QUIRK: an empty union scores 1,
 * so frames where the object is absent and correctly not predicted count as perfect.
 */
export function jaccard(gtMask: Uint8Array, resultMask: Uint8Array): number {
  if (gtMask.length !== resultMask.length) throw new RangeError(`masks differ in size: ${gtMask.length} vs ${resultMask.length}`);
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < gtMask.length; i++) {
    const inGt = gtMask[i] !== 0;
    const inResult = resultMask[i] !== 0;
    if (inGt && inResult) intersection++;
    if (inGt || inResult) union++;
  }
  return union === 0 ? 1 : intersection / union;
}

/** Boundary tolerance in pixels: the threshold itself when ≥ 1, else ceil(threshold · diagonal) (480×854 → 8). */
export function boundRadiusPx(width: number, height: number, boundThreshold = DAVIS_BOUND_THRESHOLD): number {
  // np.linalg.norm(shape) is sqrt of the sum of squares; same expression here so the ceil cannot differ.
  return boundThreshold >= 1 ? boundThreshold : Math.ceil(boundThreshold * Math.sqrt(height * height + width * width));
}

/**
 * Boundary F-measure (`f_measure(result, gt)`, SPEC §1.4): precision = fraction of result boundary pixels within
 * the disk tolerance of a GT boundary pixel, recall the converse, F = 2PR/(P+R). Empty boundaries follow the
 * reference's special cases (both empty → 1).
 *
 * @param resultMask H×W 0/1, @param gtMask H×W 0/1
 */
export function boundaryFMeasure(
  resultMask: Uint8Array,
  gtMask: Uint8Array,
  width: number,
  height: number,
  boundThreshold = DAVIS_BOUND_THRESHOLD,
): number {
  const radiusPx = boundRadiusPx(width, height, boundThreshold);
  const resultBoundary = boundaryMap(resultMask, width, height);
  const gtBoundary = boundaryMap(gtMask, width, height);
  const resultCount = countSet(resultBoundary);
  const gtCount = countSet(gtBoundary);
  let precision: number;
  let recall: number;
  if (resultCount === 0 && gtCount > 0) [precision, recall] = [1, 0];
  else if (resultCount > 0 && gtCount === 0) [precision, recall] = [0, 1];
  else if (resultCount === 0 && gtCount === 0) [precision, recall] = [1, 1];
  else {
    precision = countBoth(resultBoundary, dilateWithDisk(gtBoundary, width, height, radiusPx)) / resultCount;
    recall = countBoth(gtBoundary, dilateWithDisk(resultBoundary, width, height, radiusPx)) / gtCount;
  }
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function countSet(bitmap: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bitmap.length; i++) count += bitmap[i];
  return count;
}

function countBoth(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) count += a[i] & b[i];
  return count;
}
