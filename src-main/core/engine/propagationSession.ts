/**
 * Per-clip propagation session (house rule 4: IPC, host and CLI talk only to this object).
 * The reference protocol (SPEC §2.4–2.6) is the special case "one keyframe at frame 0, forward pass"; every
 * other mode reuses the same context construction with the frame order and anchors generalised.
 * File is long because it holds the whole session state machine; soft-label helpers live in softLabels.ts.
 */
import { throwIfCancelled } from '../base/cancellation.ts';
import { EngineError } from './engineError.ts';
import { type FeatureMap, sharedFloat32, toCellMajor } from './featureMap.ts';
import { applySelection, identityLabels, labelStructure, newSelection, type SelectionCache } from './frameSelection.ts';
import { InlineKernelRunner, type KernelRunner } from './kernelRunner.ts';
import { type ContextSlot, defaultPropagationSettings, type PropagationSettings } from './propagationKernel.ts';
import { blendPredictions, predictionConfidence, type SoftLabels } from './softLabels.ts';

export type { SoftLabels } from './softLabels.ts';

export interface FrameResult {
  frameIndex: number;
  labels: SoftLabels;
  /**
   * Mean over cells of the top-1 label share max_c p_c / Σ_c p_c (0 for cells with Σ = 0): 1 when every cell is
   * certain, 1/L when every cell is split evenly. Keyframes report 1 for hard labels.
   */
  confidence: number;
  /** True when the frame is a keyframe (its labels are the user's, not propagated). */
  isKeyframe: boolean;
}

export type FeatureProvider = (frameIndex: number) => FeatureMap | Promise<FeatureMap>;

export interface SessionOptions {
  frameCount: number;
  /** Features of a frame, L2-normalised over channels (a stream's output), C×h×w. */
  features: FeatureProvider;
  settings?: Partial<PropagationSettings>;
  runner?: KernelRunner;
  /**
   * Frame selections shared across sessions (see prepare()), keyed through `frameKey`, which must name a frame's
   * features uniquely (clip, stream, models, frame index).
   */
  selections?: { cache: SelectionCache; frameKey: (frameIndex: number) => string };
}

/** Where one context slot of a pass frame comes from. */
interface SlotPlan {
  frameIndex: number;
  labels: Float32Array;
  restricted: boolean;
}

export interface ProgressEvent {
  done: number;
  total: number;
  frameIndex: number;
}

export interface PropagateOptions {
  from: number;
  to: number;
  direction: 'forward' | 'backward';
  signal?: AbortSignal;
  onFrame?: (frameIndex: number, result: FrameResult) => void;
  onProgress?: (progress: ProgressEvent) => void;
}

export interface FillOptions {
  signal?: AbortSignal;
  onFrame?: (frameIndex: number, result: FrameResult) => void;
  onProgress?: (progress: ProgressEvent) => void;
}

const RELEASED = new Float32Array(0);

export class PropagationSession {
  readonly frameCount: number;
  readonly settings: PropagationSettings;
  private readonly provider: FeatureProvider;
  private readonly runner: KernelRunner;
  private readonly selections: SessionOptions['selections'];
  /** The label grid (from the first keyframe), known before any features are read. */
  private labelGrid: { width: number; height: number } | undefined;
  private readonly keyframes = new Map<number, Float32Array>();
  private readonly featureCache = new Map<number, Float32Array>();
  private readonly results = new Map<number, FrameResult>();
  private grid: { width: number; height: number; featureChannels: number } | undefined;
  private labelChannels: number | undefined;

  constructor(options: SessionOptions) {
    if (!Number.isInteger(options.frameCount) || options.frameCount < 1) {
      throw new EngineError('BAD_ARGUMENT', `frameCount must be a positive integer, got ${options.frameCount}`);
    }
    this.frameCount = options.frameCount;
    this.provider = options.features;
    this.runner = options.runner ?? new InlineKernelRunner();
    this.selections = options.selections;
    this.settings = { ...defaultPropagationSettings, ...options.settings };
    const { topK, contextFrames, radiusCells, temperature } = this.settings;
    if (!(Number.isInteger(topK) && topK >= 1 && Number.isInteger(contextFrames) && contextFrames >= 0 && radiusCells > 0 && temperature > 0)) {
      throw new EngineError('BAD_ARGUMENT', `invalid propagation settings ${JSON.stringify(this.settings)}`);
    }
  }

  /** Sets (or replaces) the user's labels of a frame: h×w×L soft labels at the feature grid. */
  setKeyframe(frameIndex: number, labels: SoftLabels): void {
    this.checkFrame(frameIndex);
    if (this.labelChannels !== undefined && labels.channels !== this.labelChannels) {
      throw new EngineError('BAD_LABELS', `keyframe ${frameIndex} has ${labels.channels} label channels, the session uses ${this.labelChannels}`);
    }
    if (labels.data.length !== labels.width * labels.height * labels.channels) {
      throw new EngineError('BAD_LABELS', `keyframe ${frameIndex} labels have ${labels.data.length} values, expected ${labels.width}×${labels.height}×${labels.channels}`);
    }
    if (this.grid && (labels.width !== this.grid.width || labels.height !== this.grid.height)) {
      throw new EngineError('BAD_LABELS', `keyframe ${frameIndex} labels are ${labels.width}×${labels.height}, features are ${this.grid.width}×${this.grid.height}`);
    }
    this.labelChannels = labels.channels;
    this.labelGrid ??= { width: labels.width, height: labels.height };
    const shared = sharedFloat32(labels.data.length);
    shared.set(labels.data);
    this.keyframes.set(frameIndex, shared);
    this.results.set(frameIndex, this.keyframeResult(frameIndex, labels.width, labels.height));
  }

  removeKeyframe(frameIndex: number): void {
    this.keyframes.delete(frameIndex);
    this.results.delete(frameIndex);
  }

  keyframeIndices(): number[] {
    return [...this.keyframes.keys()].sort((a, b) => a - b);
  }

  /** Latest result of a frame (keyframe labels, or the last propagation/fill), if any. */
  result(frameIndex: number): FrameResult | undefined {
    return this.results.get(frameIndex);
  }

  /** Forgets propagated results (keyframes stay). */
  reset(): void {
    for (const frameIndex of this.results.keys()) if (!this.keyframes.has(frameIndex)) this.results.delete(frameIndex);
  }

  async close(): Promise<void> {
    await this.runner.close();
  }

  /**
   * One pass from keyframe `from` to `to`. Context of the i-th frame of the pass (SPEC §2.4, with "preceding" meaning
   * preceding in pass order): long-term slots = `from` then the other keyframes inside the pass range, short-term
   * slots = the n previous pass frames, padded with copies of `from` (duplicates kept). Keyframes met on the way
   * output their own labels, which then feed the context like frame 0 does in the reference.
   */
  async propagate(options: PropagateOptions): Promise<FrameResult[]> {
    const { signal } = options;
    const { order, anchors } = this.passOf(options);
    const n = this.settings.contextFrames;
    const passLabels: Float32Array[] = [];
    const out: FrameResult[] = [];
    for (let i = 0; i < order.length; i++) {
      throwIfCancelled(signal);
      const frameIndex = order[i];
      const keyLabels = this.keyframes.get(frameIndex);
      let result: FrameResult;
      if (keyLabels) {
        // Its features are read when a later frame needs them (not at all when that frame was selected ahead).
        result = this.keyframeResult(frameIndex, this.labelGrid!.width, this.labelGrid!.height);
        passLabels.push(keyLabels);
      } else {
        const plan = this.contextOf(i, order, anchors, passLabels);
        const grid = this.labelGrid!;
        const cells = grid.width * grid.height;
        // Selected ahead of the click (prepare()): only the labels are left to add up.
        const selected = this.selections && (await this.selections.cache.take(this.selectionKey(frameIndex, plan)));
        let prediction: Float32Array;
        if (selected) {
          prediction = applySelection(selected, plan.map((slot) => slot.labels), cells, this.labelChannels!);
        } else {
          const slots: ContextSlot[] = [];
          for (const slot of plan) slots.push({ features: await this.featuresOf(slot.frameIndex), labels: slot.labels, restricted: slot.restricted });
          const query = await this.featuresOf(frameIndex);
          prediction = await this.runner.run(this.jobOf(query, slots, this.labelChannels!));
        }
        const shared = sharedFloat32(prediction.length);
        shared.set(prediction);
        passLabels.push(shared);
        const labels = { width: grid.width, height: grid.height, channels: this.labelChannels!, data: shared };
        result = { frameIndex, labels, confidence: predictionConfidence(labels), isKeyframe: false };
      }
      // Short-term context only reaches back n frames: older pass labels can go.
      if (i - n >= 0) passLabels[i - n] = RELEASED;
      this.evictFeatures(new Set([...anchors, ...order.slice(Math.max(0, i - n + 1), i + 1)]));
      this.results.set(frameIndex, result);
      out.push(result);
      options.onFrame?.(frameIndex, result);
      options.onProgress?.({ done: i + 1, total: order.length, frameIndex });
    }
    return out;
  }

  /**
   * Selects, ahead of a propagate() call over the same range, its first computed frame: that frame's context holds
   * keyframes only, and its selection (the costly part: at 480p every cell against the whole long-term frame)
   * does not depend on their labels, so the annotator may go on editing them. The run then only adds up labels.
   * Returns whether a selection was made (false without a cache, or when the pass computes no frame).
   */
  async prepare(options: Pick<PropagateOptions, 'from' | 'to' | 'direction'>): Promise<boolean> {
    const selections = this.selections;
    if (!selections) return false;
    const { order, anchors } = this.passOf(options);
    const i = order.findIndex((t) => !this.keyframes.has(t));
    if (i < 0) return false;
    const frameIndex = order[i];
    const plan = this.contextOf(i, order, anchors, order.slice(0, i).map((t) => this.keyframes.get(t)!));
    await selections.cache.compute(this.selectionKey(frameIndex, plan), async () => {
      const slots: ContextSlot[] = [];
      const query = await this.featuresOf(frameIndex);
      const cells = this.grid!.width * this.grid!.height;
      const identities = identityLabels(plan.map((slot) => slot.labels), cells);
      for (let s = 0; s < plan.length; s++) slots.push({ features: await this.featuresOf(plan[s].frameIndex), labels: identities[s], restricted: plan[s].restricted });
      const selection = newSelection(cells, Math.min(this.settings.topK, cells * slots.length));
      await this.runner.run({ ...this.jobOf(query, slots, 1), selection });
      return selection;
    });
    return true;
  }

  /**
   * Fills every frame from the keyframes: before the first keyframe a backward pass, after the last a forward pass,
   * and between consecutive keyframes A < B the blend (B−t)/(B−A)·forward(A) + (t−A)/(B−A)·backward(B).
   */
  async fillBetweenKeyframes(options: FillOptions = {}): Promise<FrameResult[]> {
    const keys = this.keyframeIndices();
    if (keys.length === 0) throw new EngineError('NO_KEYFRAME', 'fillBetweenKeyframes needs at least one keyframe');
    const total = this.frameCount;
    let done = 0;
    const filled = new Map<number, FrameResult>();
    const emit = (result: FrameResult) => {
      filled.set(result.frameIndex, result);
      this.results.set(result.frameIndex, result);
      options.onFrame?.(result.frameIndex, result);
      options.onProgress?.({ done: ++done, total, frameIndex: result.frameIndex });
    };
    const first = keys[0];
    const last = keys[keys.length - 1];
    if (first > 0) {
      const backward = await this.propagate({ from: first, to: 0, direction: 'backward', signal: options.signal });
      for (const result of backward.reverse()) if (result.frameIndex !== first) emit(result);
    }
    for (let i = 0; i < keys.length; i++) {
      const a = keys[i];
      emit(this.results.get(a)!);
      const b = keys[i + 1];
      if (b === undefined || b === a + 1) continue;
      const forward = await this.propagate({ from: a, to: b - 1, direction: 'forward', signal: options.signal });
      const backward = await this.propagate({ from: b, to: a + 1, direction: 'backward', signal: options.signal });
      const backwardByFrame = new Map(backward.map((r) => [r.frameIndex, r]));
      for (const result of forward) {
        if (result.frameIndex === a) continue;
        const t = result.frameIndex;
        const labels = blendPredictions(result.labels, (b - t) / (b - a), backwardByFrame.get(t)!.labels, (t - a) / (b - a));
        emit({ frameIndex: t, labels, confidence: predictionConfidence(labels), isKeyframe: false });
      }
    }
    if (last < this.frameCount - 1) {
      const forward = await this.propagate({ from: last, to: this.frameCount - 1, direction: 'forward', signal: options.signal });
      for (const result of forward) if (result.frameIndex !== last) emit(result);
    }
    return [...filled.values()].sort((x, y) => x.frameIndex - y.frameIndex);
  }

  /**
   * Fills the frames strictly between keyframes `a` < `b` (only `first`..`last` of them, default all) with the blend
   * (b−t)/(b−a)·forward(a) + (t−a)/(b−a)·backward(b), as fillBetweenKeyframes does for each pair. The forward pass
   * runs first; each frame of the backward pass is emitted blended as soon as it is computed, so `onFrame` sees
   * final results frame by frame. `onProgress` counts every computed frame of both passes.
   */
  async fillBetween(a: number, b: number, options: FillOptions & { first?: number; last?: number } = {}): Promise<FrameResult[]> {
    if (!this.keyframes.has(a) || !this.keyframes.has(b) || b <= a) throw new EngineError('BAD_ARGUMENT', `cannot fill between frames ${a} and ${b}: two keyframes in order are needed`);
    const first = Math.max(a + 1, options.first ?? a + 1);
    const last = Math.min(b - 1, options.last ?? b - 1);
    if (first > last) return [];
    const computed = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((t) => !this.keyframes.has(t)).length;
    const total = computed(a, last) + computed(first, b);
    let done = 0;
    const progress = (frameIndex: number) => options.onProgress?.({ done: ++done, total, frameIndex });
    const forward = new Map<number, FrameResult>();
    await this.propagate({
      from: a, to: last, direction: 'forward', signal: options.signal,
      onFrame: (t, result) => {
        if (result.isKeyframe) return;
        if (t >= first) forward.set(t, result);
        progress(t);
      },
    });
    const filled: FrameResult[] = [];
    await this.propagate({
      from: b, to: first, direction: 'backward', signal: options.signal,
      onFrame: (t, result) => {
        if (result.isKeyframe) return;
        progress(t);
        if (t > last) return;
        const labels = blendPredictions(forward.get(t)!.labels, (b - t) / (b - a), result.labels, (t - a) / (b - a));
        const blended = { frameIndex: t, labels, confidence: predictionConfidence(labels), isKeyframe: false };
        this.results.set(t, blended);
        filled.push(blended);
        options.onFrame?.(t, blended);
      },
    });
    return filled.reverse();
  }

  private keyframeResult(frameIndex: number, width: number, height: number): FrameResult {
    const labels = { width, height, channels: this.labelChannels!, data: this.keyframes.get(frameIndex)! };
    return { frameIndex, labels, confidence: predictionConfidence(labels), isKeyframe: true };
  }

  /** The frames of a pass in order and its long-term anchors (`from`, then the keyframes inside the range). */
  private passOf(options: Pick<PropagateOptions, 'from' | 'to' | 'direction'>): { order: number[]; anchors: number[] } {
    const { from, to, direction } = options;
    this.checkFrame(from);
    this.checkFrame(to);
    if (!this.keyframes.has(from)) throw new EngineError('NO_KEYFRAME', `frame ${from} is not a keyframe; propagation starts from a keyframe`);
    const step = direction === 'forward' ? 1 : -1;
    if ((to - from) * step < 0) throw new EngineError('BAD_ARGUMENT', `cannot go ${direction} from frame ${from} to frame ${to}`);
    const order: number[] = [];
    for (let t = from; t !== to + step; t += step) order.push(t);
    const anchors = [from, ...this.keyframeIndices().filter((k) => k !== from && (k - from) * step > 0 && (to - k) * step >= 0)];
    return { order, anchors };
  }

  /**
   * Context of the i-th frame of a pass (SPEC §2.4, "preceding" meaning preceding in pass order): the anchors
   * (long-term), then the n previous pass frames, padded with copies of the first (duplicates kept).
   */
  private contextOf(i: number, order: number[], anchors: number[], passLabels: Float32Array[]): SlotPlan[] {
    const n = this.settings.contextFrames;
    const plan: SlotPlan[] = anchors.map((anchor) => ({ frameIndex: anchor, labels: this.keyframes.get(anchor)!, restricted: false }));
    for (let j = 0; j < n; j++) {
      const passIndex = i + j - n; // index into P = [n copies of `from`] ++ pass frames
      plan.push({ frameIndex: order[Math.max(0, passIndex)], labels: passIndex < 0 ? this.keyframes.get(order[0])! : passLabels[passIndex], restricted: true });
    }
    return plan;
  }

  /** Names a frame's selection problem: its features, each slot's features and restriction, which slots share labels. */
  private selectionKey(frameIndex: number, plan: SlotPlan[]): string {
    const { frameKey } = this.selections!;
    const { topK, radiusCells, temperature } = this.settings;
    const structure = labelStructure(plan.map((slot) => slot.labels));
    const slots = plan.map((slot, s) => `${frameKey(slot.frameIndex)}${slot.restricted ? '~' : '='}${structure[s]}`);
    return `${frameKey(frameIndex)} ← ${slots.join(' ')} | k${topK} r${radiusCells} t${temperature}`;
  }

  private jobOf(query: Float32Array, slots: ContextSlot[], labelChannels: number) {
    const grid = this.grid!;
    return { width: grid.width, height: grid.height, featureChannels: grid.featureChannels, labelChannels, query, slots, settings: this.settings };
  }

  private checkFrame(frameIndex: number): void {
    if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= this.frameCount) {
      throw new EngineError('BAD_ARGUMENT', `frame index ${frameIndex} is outside the clip (0..${this.frameCount - 1})`);
    }
  }

  private async featuresOf(frameIndex: number): Promise<Float32Array> {
    const cached = this.featureCache.get(frameIndex);
    if (cached) return cached;
    const map = await this.provider(frameIndex);
    if (!this.grid) this.grid = { width: map.width, height: map.height, featureChannels: map.channels };
    const grid = this.grid;
    if (map.width !== grid.width || map.height !== grid.height || map.channels !== grid.featureChannels) {
      throw new EngineError('BAD_FEATURES', `features of frame ${frameIndex} are ${map.channels}×${map.height}×${map.width}, expected ${grid.featureChannels}×${grid.height}×${grid.width}`);
    }
    for (const [key, labels] of this.keyframes) {
      if (labels.length !== grid.width * grid.height * this.labelChannels!) {
        throw new EngineError('BAD_LABELS', `keyframe ${key} labels do not match the ${grid.width}×${grid.height} feature grid`);
      }
    }
    const cellMajor = toCellMajor(map);
    this.featureCache.set(frameIndex, cellMajor);
    return cellMajor;
  }

  private evictFeatures(keep: Set<number>): void {
    for (const frameIndex of this.featureCache.keys()) if (!keep.has(frameIndex)) this.featureCache.delete(frameIndex);
  }
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
