/** Soft labels of a frame and what is computed from them alone: prediction confidence and keyframe blending. */

/** Soft labels of one frame at the feature grid: h×w×L float32, channel-last (= cell-major). */
export interface SoftLabels {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

/**
 * Top-1 share averaged over cells: mean of max_c p_c / Σ_c p_c, cells with Σ = 0 counting 0. Independent of the
 * label scale (keypoint maps are not normalised), 1 for hard labels, 1/L for an even split.
 */
export function predictionConfidence(labels: SoftLabels): number {
  const { channels, data } = labels;
  const cells = labels.width * labels.height;
  if (cells === 0) return 0;
  let total = 0;
  for (let i = 0; i < cells; i++) {
    let max = 0;
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const v = data[i * channels + c];
      sum += v;
      if (v > max) max = v;
    }
    if (sum > 0) total += max / sum;
  }
  return total / cells;
}

/** wa·a + wb·b, element-wise (keyframe blending by temporal distance). */
export function blendPredictions(a: SoftLabels, weightA: number, b: SoftLabels, weightB: number): SoftLabels {
  const data = new Float32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = weightA * a.data[i] + weightB * b.data[i];
  return { width: a.width, height: a.height, channels: a.channels, data };
}
