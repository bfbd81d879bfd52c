import { EvalError } from './evalError.ts';

/** VIP part classes, id = index (SPEC §4). */
export const VIP_CLASS_NAMES = [
  'background', 'hat', 'hair', 'sun-glasses', 'upper-clothes', 'dress', 'coat', 'socks', 'pants', 'gloves',
  'scarf', 'skirt', 'torso-skin', 'face', 'right-arm', 'left-arm', 'right-leg', 'left-leg', 'right-shoe', 'left-shoe',
] as const;
export const VIP_CLASS_COUNT = VIP_CLASS_NAMES.length;

/**
 * Nearest-neighbour resize with OpenCV INTER_NEAREST indexing: source = min(floor(d · (1 / (dst/src))), src − 1).
 * eval_vip.py resizes predictions to the GT size with nearest interpolation (SPEC §4; which library's nearest
 * rule it uses is not verified — this is OpenCV's).
 * @param ids srcH×srcW row-major @returns dstH×dstW row-major
 */
export function resizeNearest(ids: Uint8Array, srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number): Uint8Array {
  if (srcWidth === dstWidth && srcHeight === dstHeight) return ids;
  const inverseX = 1 / (dstWidth / srcWidth);
  const inverseY = 1 / (dstHeight / srcHeight);
  const columns = Int32Array.from({ length: dstWidth }, (_, x) => Math.min(Math.floor(x * inverseX), srcWidth - 1));
  const out = new Uint8Array(dstWidth * dstHeight);
  for (let y = 0; y < dstHeight; y++) {
    const sourceRow = Math.min(Math.floor(y * inverseY), srcHeight - 1) * srcWidth;
    for (let x = 0; x < dstWidth; x++) out[y * dstWidth + x] = ids[sourceRow + columns[x]];
  }
  return out;
}

/**
 * Confusion matrix summed over all frames of all videos: counts[gt·20 + prediction] (SPEC §4, `fast_hist`).
 * GT values outside 0..19 (e.g. 255) are ignored, as `k = (a >= 0) & (a < n)` does.
 */
export class VipConfusion {
  /** 20×20 row-major, row = GT class, column = predicted class */
  readonly counts = new Float64Array(VIP_CLASS_COUNT * VIP_CLASS_COUNT);

  /** @param gt H×W class ids @param prediction H×W class ids, already at the GT size */
  addFrame(gt: Uint8Array, prediction: Uint8Array, file?: string): void {
    if (gt.length !== prediction.length) {
      throw new EvalError('SIZE_MISMATCH', `prediction has ${prediction.length} pixels, the GT has ${gt.length}`, file);
    }
    for (let i = 0; i < gt.length; i++) {
      const gtClass = gt[i];
      if (gtClass >= VIP_CLASS_COUNT) continue;
      const predicted = prediction[i];
      // The reference's bincount would silently alias or crash on such ids; refuse them instead.
      if (predicted >= VIP_CLASS_COUNT) {
        throw new EvalError('CLASS_OUT_OF_RANGE', `prediction has class id ${predicted}; VIP ids are 0..${VIP_CLASS_COUNT - 1}`, file);
      }
      this.counts[gtClass * VIP_CLASS_COUNT + predicted]++;
    }
  }

  /** IoU per class = diag / (row sum + column sum − diag); NaN for a class absent from both GT and prediction. */
  perClassIou(): number[] {
    const n = VIP_CLASS_COUNT;
    return Array.from({ length: n }, (_, c) => {
      let rowSum = 0;
      let columnSum = 0;
      for (let k = 0; k < n; k++) {
        rowSum += this.counts[c * n + k];
        columnSum += this.counts[k * n + c];
      }
      const diagonal = this.counts[c * n + c];
      return diagonal / (rowSum + columnSum - diagonal);
    });
  }

  /** nanmean of the per-class IoU, a fraction 0..1. */
  meanIou(): number {
    const defined = this.perClassIou().filter((iou) => !Number.isNaN(iou));
    return defined.length === 0 ? Number.NaN : defined.reduce((sum, iou) => sum + iou, 0) / defined.length;
  }
}
