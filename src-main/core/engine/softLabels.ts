/**
 * Propagation helpers around the kernel and the session: the reference run on a whole clip (SPEC §2.4–2.6),
 * prediction confidence and keyframe blending.
 */
import type { FeatureMap } from './featureMap.ts';
import type { KernelRunner } from './kernelRunner.ts';
import type { PropagationSettings } from './propagationKernel.ts';
import { type FrameResult, PropagationSession, type SoftLabels } from './propagationSession.ts';

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

/**
 * The reference protocol on a clip: GT labels of frame 0, forward to the last frame (CRW `test()` semantics).
 * Runs through the session, so the product path is the one the conformance test checks.
 */
export async function propagateFromFirstFrame(options: {
  frameCount: number;
  features: (frameIndex: number) => FeatureMap | Promise<FeatureMap>;
  firstLabels: SoftLabels;
  settings?: Partial<PropagationSettings>;
  runner?: KernelRunner;
  signal?: AbortSignal;
  onFrame?: (frameIndex: number, result: FrameResult) => void;
}): Promise<FrameResult[]> {
  const session = new PropagationSession({ frameCount: options.frameCount, features: options.features, settings: options.settings, runner: options.runner });
  session.setKeyframe(0, options.firstLabels);
  return session.propagate({ from: 0, to: options.frameCount - 1, direction: 'forward', signal: options.signal, onFrame: options.onFrame });
}
