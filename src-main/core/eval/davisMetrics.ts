import type { BinaryMask, PixelBox } from './binaryMask.ts';
import { boundaryMap, boundaryRegion } from './boundaryMap.ts';
import { dilateWithDisk } from './diskDilation.ts';

/** Default boundary tolerance of davis2017-evaluation: a fraction of the image diagonal (SPEC §1.4). */
export const DAVIS_BOUND_THRESHOLD = 0.008;

function checkSameSize(a: BinaryMask, b: BinaryMask): void {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError(`masks differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
}

/**
 * Region similarity J = |gt ∩ result| / |gt ∪ result| (`db_eval_iou`, SPEC §1.3). QUIRK: an empty union scores 1,
 * so frames where the object is absent and correctly not predicted count as perfect.
 */
export function jaccard(gt: BinaryMask, result: BinaryMask): number {
  checkSameSize(gt, result);
  let intersection = 0;
  if (gt.box && result.box) {
    // Only the overlap of the two boxes can hold common pixels.
    const x0 = Math.max(gt.box.minX, result.box.minX);
    const x1 = Math.min(gt.box.maxX, result.box.maxX);
    for (let y = Math.max(gt.box.minY, result.box.minY); y <= Math.min(gt.box.maxY, result.box.maxY); y++) {
      const row = y * gt.width;
      for (let x = x0; x <= x1; x++) intersection += gt.data[row + x] & result.data[row + x];
    }
  }
  const union = gt.count + result.count - intersection;
  return union === 0 ? 1 : intersection / union;
}

/** Boundary tolerance in pixels: the threshold itself when ≥ 1, else ceil(threshold · diagonal) (480×854 → 8). */
export function boundRadiusPx(width: number, height: number, boundThreshold = DAVIS_BOUND_THRESHOLD): number {
  // np.linalg.norm(shape) is sqrt of the sum of squares; same expression here so the ceil cannot differ.
  return boundThreshold >= 1 ? boundThreshold : Math.ceil(boundThreshold * Math.sqrt(height * height + width * width));
}

/** Set pixels of `a` that are also set in `b`, looking only inside `region`. */
function countBoth(a: Uint8Array, b: Uint8Array, width: number, region: PixelBox): number {
  let count = 0;
  for (let y = region.minY; y <= region.maxY; y++) {
    const row = y * width;
    for (let x = region.minX; x <= region.maxX; x++) count += a[row + x] & b[row + x];
  }
  return count;
}

/**
 * Boundary F-measure (`f_measure(result, gt)`, SPEC §1.4): precision = share of result boundary pixels within the
 * disk tolerance of a GT boundary pixel, recall the converse, F = 2PR/(P+R). Empty boundaries follow the
 * reference's special cases (both empty → 1). All passes are limited to the masks' bounding boxes.
 */
export function boundaryFMeasure(result: BinaryMask, gt: BinaryMask, boundThreshold = DAVIS_BOUND_THRESHOLD): number {
  checkSameSize(gt, result);
  const { width, height } = gt;
  const radiusPx = boundRadiusPx(width, height, boundThreshold);
  const resultRegion = result.box && boundaryRegion(result.box);
  const gtRegion = gt.box && boundaryRegion(gt.box);
  const resultBoundary = resultRegion && boundaryMap(result.data, width, height, resultRegion);
  const gtBoundary = gtRegion && boundaryMap(gt.data, width, height, gtRegion);
  const resultCount = resultBoundary ? countBoth(resultBoundary, resultBoundary, width, resultRegion!) : 0;
  const gtCount = gtBoundary ? countBoth(gtBoundary, gtBoundary, width, gtRegion!) : 0;
  let precision: number;
  let recall: number;
  if (resultCount === 0 && gtCount > 0) [precision, recall] = [1, 0];
  else if (resultCount > 0 && gtCount === 0) [precision, recall] = [0, 1];
  else if (resultCount === 0 && gtCount === 0) [precision, recall] = [1, 1];
  else {
    const gtDilated = dilateWithDisk(gtBoundary!, width, height, radiusPx, gtRegion);
    const resultDilated = dilateWithDisk(resultBoundary!, width, height, radiusPx, resultRegion);
    precision = countBoth(resultBoundary!, gtDilated, width, resultRegion!) / resultCount;
    recall = countBoth(gtBoundary!, resultDilated, width, gtRegion!) / gtCount;
  }
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}
