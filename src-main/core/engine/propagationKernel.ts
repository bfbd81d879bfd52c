/**
 * The per-frame kernel of label propagation (SPEC §2.5–2.6): for a band of query rows, top-k over the context
 * nodes, softmax with temperature, weighted sum of context labels. Only the local windows of the restricted slots
 * are evaluated (never a dense HW×HW affinity); slot order, candidate order and top-k tie handling match the
 * reference so the selected neighbours are the same. Pure function of typed arrays so worker threads can run it
 * on SharedArrayBuffers.
 */
import { makeHeap, replaceTop, sortHeap } from './topK.ts';

const f32 = Math.fround;

/** Settings of one propagation run (CRW DAVIS defaults: 10, 20, 12, 0.05). */
export interface PropagationSettings {
  topK: number;
  /** n: number of preceding frames in the short-term context. */
  contextFrames: number;
  /** Spatial restriction in feature cells (strict `<`), not applied to long-term slots. */
  radiusCells: number;
  temperature: number;
}

export const defaultPropagationSettings: PropagationSettings = { topK: 10, contextFrames: 20, radiusCells: 12, temperature: 0.05 };

/** One context slot: a frame's cell-major features (N×D) and soft labels (N×L). */
export interface ContextSlot {
  features: Float32Array;
  labels: Float32Array;
  /** true for short-term slots (radius mask applies), false for long-term anchors. */
  restricted: boolean;
}

export interface KernelTask {
  /** Feature grid: N = width·height cells, row-major. */
  width: number;
  height: number;
  featureChannels: number;
  labelChannels: number;
  /** N×D cell-major features of the frame being predicted. */
  query: Float32Array;
  slots: ContextSlot[];
  settings: PropagationSettings;
  /** N×L soft prediction, written for rows [rowStart, rowEnd). */
  out: Float32Array;
  rowStart: number;
  rowEnd: number;
}

/** Cells (dy, dx) with float32 sqrt(dy²+dx²) < radius, row-major, as `MaskedAttention.make` (SPEC §2.5). */
export function windowOffsets(radiusCells: number): { dy: Int32Array; dx: Int32Array } {
  const dy: number[] = [];
  const dx: number[] = [];
  const reach = Math.ceil(radiusCells);
  for (let y = -reach; y <= reach; y++) {
    for (let x = -reach; x <= reach; x++) {
      if (f32(Math.sqrt(y * y + x * x)) < radiusCells) {
        dy.push(y);
        dx.push(x);
      }
    }
  }
  return { dy: Int32Array.from(dy), dx: Int32Array.from(dx) };
}

/** Double dot product over channels [from, to). */
function partialDot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, from: number, to: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = from;
  for (; c + 3 < to; c += 4) {
    s0 += a[aOffset + c] * b[bOffset + c];
    s1 += a[aOffset + c + 1] * b[bOffset + c + 1];
    s2 += a[aOffset + c + 2] * b[bOffset + c + 2];
    s3 += a[aOffset + c + 3] * b[bOffset + c + 3];
  }
  for (; c < to; c++) s0 += a[aOffset + c] * b[bOffset + c];
  return s0 + s1 + (s2 + s3);
}

/** Per-cell L2 norm of channels [from, D) (N values): bounds the unread part of a dot product (Cauchy–Schwarz). */
function tailNorms(features: Float32Array, cells: number, channels: number, from: number): Float64Array {
  const out = new Float64Array(cells);
  for (let m = 0; m < cells; m++) {
    let sum = 0;
    for (let c = from; c < channels; c++) sum += features[m * channels + c] ** 2;
    out[m] = Math.sqrt(sum) * (1 + 1e-12);
  }
  return out;
}

/**
 * The reference's float32 dot product, bit for bit: torch's CPU einsum/bmm accumulates each output as a sequential
 * chain of float32 fused multiply-adds over the channels (checked against torch 1.13: 0 mismatches). a·b is exact
 * in double, so one rounding of (acc + a·b) to float32 is the FMA.
 */
function exactDot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, channels: number): number {
  let acc = 0;
  for (let c = 0; c < channels; c++) acc = f32(acc + a[aOffset + c] * b[bOffset + c]);
  return acc;
}

/**
 * Runs the kernel on rows [rowStart, rowEnd) of the query frame. Long-term (unrestricted) slots must come first
 * (reference order: long_mem then the short-term slots). Every candidate is screened with a double dot product;
 * only those that could beat the current k-th best get the exact float32 score, which decides (so selection is
 * exactly the reference's). Function is long because the hot loop is kept inline.
 */
export function propagateRows(task: KernelTask): void {
  const { width, height, featureChannels: D, labelChannels: L, query, slots, settings, out } = task;
  const N = width * height;
  const k = Math.min(settings.topK, N * slots.length);
  const temperature32 = f32(settings.temperature);
  // |exact − fast| ≤ D·2⁻²⁴·Σ|aᵢbᵢ| ≤ 3e-6 for unit vectors; keep a wide margin (in dot units) for unnormalised input.
  const margin = 1e-4;
  const offsets = windowOffsets(settings.radiusCells);
  const windowSize = offsets.dy.length;
  // Slots sharing a features array share their scores (the reference's frame-0 copies are exact duplicates).
  const source = slots.map((slot) => slots.findIndex((other) => other.features === slot.features));
  const globalOwner = source.map((owner) => (slots[owner].restricted ? -1 : owner));
  const fastScores = slots.map((slot, s) => (source[s] === s ? new Float64Array(slot.restricted ? windowSize : N) : null));
  const exactScores = slots.map((slot, s) => (source[s] === s ? new Float32Array(slot.restricted ? windowSize : N) : null));
  const exactStamp = slots.map((slot, s) => (source[s] === s ? new Int32Array(slot.restricted ? windowSize : N).fill(-1) : null));
  // Screening reads the first `split` channels, then drops candidates whose Cauchy–Schwarz bound cannot reach the heap.
  const split = D >= 16 ? (D >> 1) & ~3 : D;
  const keyTails = slots.map((slot, s) => (source[s] === s ? tailNorms(slot.features, N, D, split) : null));
  const queryTails = tailNorms(query, N, D, split);
  const windowCell = new Int32Array(windowSize);
  const heapValues = new Float32Array(k);
  const heapIndices = new Int32Array(k);
  const weights = new Float32Array(k);
  for (let y = task.rowStart; y < task.rowEnd; y++) {
    for (let x = 0; x < width; x++) {
      const q = y * width + x;
      const stamp = q;
      const qOffset = q * D;
      let windowCount = 0;
      for (let w = 0; w < windowSize; w++) {
        const yy = y + offsets.dy[w];
        const xx = x + offsets.dx[w];
        if (yy >= 0 && yy < height && xx >= 0 && xx < width) windowCell[windowCount++] = yy * width + xx;
      }
      let filled = 0;
      let rejectBelow = -Infinity;
      for (let s = 0; s < slots.length; s++) {
        const slot = slots[s];
        const base = s * N;
        const owner = source[s];
        const fromGlobal = slot.restricted && globalOwner[owner] >= 0;
        const scoreOwner = fromGlobal ? globalOwner[owner] : owner;
        const fast = fastScores[scoreOwner]!;
        const exact = exactScores[scoreOwner]!;
        const stamps = exactStamp[scoreOwner]!;
        const keys = slots[scoreOwner].features;
        const count = slot.restricted ? windowCount : N;
        const tails = keyTails[scoreOwner]!;
        const queryTail = queryTails[q];
        const computeFast = owner === s;
        for (let w = 0; w < count; w++) {
          const m = slot.restricted ? windowCell[w] : w;
          const at = fromGlobal ? m : w;
          if (computeFast) {
            // fast[at] is the double dot, or a bound (≥ it) already below the threshold it was screened against:
            // thresholds only rise during one query, so a screened-out candidate stays out for later duplicates.
            const head = partialDot(keys, m * D, query, qOffset, 0, split);
            const bound = head + tails[m] * queryTail;
            fast[at] = bound < rejectBelow ? bound : head + partialDot(keys, m * D, query, qOffset, split, D);
          }
          if (fast[at] < rejectBelow) continue;
          if (stamps[at] !== stamp) {
            exact[at] = f32(exactDot(keys, m * D, query, qOffset, D) / temperature32);
            stamps[at] = stamp;
          }
          const value = exact[at];
          if (filled < k) {
            heapValues[filled] = value;
            heapIndices[filled++] = base + m;
            if (filled === k) {
              makeHeap(heapValues, heapIndices, k);
              rejectBelow = heapValues[0] * temperature32 - margin;
            }
          } else if (value > heapValues[0]) {
            replaceTop(heapValues, heapIndices, k, value, base + m);
            rejectBelow = heapValues[0] * temperature32 - margin;
          }
        }
      }
      if (filled < k) makeHeap(heapValues, heapIndices, filled);
      sortHeap(heapValues, heapIndices, filled);
      softmaxInto(heapValues, weights, filled);
      const o = q * L;
      for (let c = 0; c < L; c++) out[o + c] = 0;
      for (let i = 0; i < filled; i++) {
        const index = heapIndices[i];
        const slotIndex = (index / N) | 0;
        const labels = slots[slotIndex].labels;
        const l = (index - slotIndex * N) * L;
        const weight = weights[i];
        for (let c = 0; c < L; c++) out[o + c] = out[o + c] + f32(labels[l + c] * weight);
      }
    }
  }
}

/** float32 softmax of the (descending) top-k scores: exp(v - max) / Σ, summed in order. */
function softmaxInto(values: Float32Array, weights: Float32Array, count: number): void {
  const max = values[0];
  let sum = 0;
  for (let i = 0; i < count; i++) {
    weights[i] = Math.exp(f32(values[i] - max));
    sum = f32(sum + weights[i]);
  }
  for (let i = 0; i < count; i++) weights[i] = weights[i] / sum;
}
