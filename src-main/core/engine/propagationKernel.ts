/**
 * The per-frame kernel of label propagation (SPEC §2.5–2.6): for a band of query rows, top-k over the context
 * nodes, softmax with temperature, weighted sum of context labels. Only the local windows of the restricted slots
 * are evaluated (never a dense HW×HW affinity); slot order, candidate order and top-k tie handling match the
 * reference so the selected neighbours are the same. Pure function of typed arrays so worker threads can run it
 * on SharedArrayBuffers.
 */
import { makeHeap, replaceTop, sortHeap } from './topK.ts';

const f32 = Math.fround;
/** Pivots for the triangle-inequality screen (more prune more, each costs one distance per key cell). */
const PIVOT_COUNT = 6;

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
 * Pivots for triangle-inequality screening: farthest-point picks among the query cells. For any pivot p,
 * ‖q−k‖ ≥ |‖q−p‖ − ‖k−p‖|, hence q·k ≤ (‖q‖² + ‖k‖² − (‖q−p‖ − ‖k−p‖)²) / 2 — an O(pivots) upper bound.
 */
function choosePivots(query: Float32Array, cells: number, channels: number, count: number): Float64Array[] {
  const pivots: Float64Array[] = [];
  const nearest = new Float64Array(cells).fill(Infinity);
  let next = 0;
  for (let p = 0; p < Math.min(count, cells); p++) {
    const pivot = Float64Array.from(query.subarray(next * channels, (next + 1) * channels));
    pivots.push(pivot);
    let farthest = 0;
    for (let m = 0; m < cells; m++) {
      let d = 0;
      for (let c = 0; c < channels; c++) d += (query[m * channels + c] - pivot[c]) ** 2;
      if (d < nearest[m]) nearest[m] = d;
      if (nearest[m] > nearest[farthest]) farthest = m;
    }
    next = farthest;
  }
  return pivots;
}

/** Per cell: ‖k‖² then ‖k − p‖ for each pivot (stride 1 + pivots). */
function pivotTable(features: Float32Array, cells: number, channels: number, pivots: Float64Array[]): Float64Array {
  const stride = 1 + pivots.length;
  const out = new Float64Array(cells * stride);
  for (let m = 0; m < cells; m++) {
    const o = m * channels;
    let norm = 0;
    for (let c = 0; c < channels; c++) norm += features[o + c] ** 2;
    out[m * stride] = norm;
    for (let p = 0; p < pivots.length; p++) {
      const pivot = pivots[p];
      let d = 0;
      for (let c = 0; c < channels; c++) d += (features[o + c] - pivot[c]) ** 2;
      out[m * stride + 1 + p] = Math.sqrt(d);
    }
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

/** Cells per screening block: a block is skipped whole when its bound cannot reach the heap. */
const BLOCK = 8;

/** Per-features screening data, shared by every slot showing the same frame. */
interface KeyFrameData {
  keys: Float32Array;
  /** Per cell: ‖k‖², then ‖k − pᵢ‖ per pivot. */
  table: Float64Array;
  /** Per block of BLOCK cells of one row: max ‖k‖², then (min, max) of ‖k − pᵢ‖ per pivot. */
  blocks: Float64Array;
  tails: Float64Array;
  /** float32 scores computed for the current query (valid where stamps[m] === query index). */
  exact: Float32Array;
  stamps: Int32Array;
}

function blockTable(table: Float64Array, width: number, height: number, pivotCount: number): Float64Array {
  const stride = 1 + pivotCount;
  const blocksPerRow = Math.ceil(width / BLOCK);
  const blockStride = 1 + 2 * pivotCount;
  const out = new Float64Array(height * blocksPerRow * blockStride);
  for (let y = 0; y < height; y++) {
    for (let b = 0; b < blocksPerRow; b++) {
      const o = (y * blocksPerRow + b) * blockStride;
      out[o] = -Infinity;
      for (let p = 0; p < pivotCount; p++) {
        out[o + 1 + 2 * p] = Infinity;
        out[o + 2 + 2 * p] = -Infinity;
      }
      for (let x = b * BLOCK; x < Math.min(width, (b + 1) * BLOCK); x++) {
        const t = (y * width + x) * stride;
        out[o] = Math.max(out[o], table[t]);
        for (let p = 0; p < pivotCount; p++) {
          out[o + 1 + 2 * p] = Math.min(out[o + 1 + 2 * p], table[t + 1 + p]);
          out[o + 2 + 2 * p] = Math.max(out[o + 2 + 2 * p], table[t + 1 + p]);
        }
      }
    }
  }
  return out;
}

interface ScanState {
  heapValues: Float32Array;
  heapIndices: Int32Array;
  k: number;
  filled: number;
  /** Candidates whose double dot (or an upper bound of it) is below this cannot enter the heap. */
  rejectBelow: number;
  temperature32: number;
  margin: number;
  width: number;
  D: number;
  split: number;
  P: number;
  query: Float32Array;
  queryPivots: Float64Array;
  queryTails: Float64Array;
  /** Fast path only: every scored candidate not below the heap minimum at its arrival (value, index). */
  collecting: boolean;
  collectedValues: Float32Array;
  collectedIndices: Int32Array;
  collectedCount: number;
  /** Score known to be ≤ the final k-th best (fast path), else -Infinity. */
  floorScore: number;
}

/**
 * Offers the candidates (row y, columns xa..xb) of one slot to the top-k heap, in the reference order. A candidate is
 * skipped only when a bound proves it is below the current k-th best, i.e. exactly when the reference heap would
 * not take it, so the heap evolves as in torch. Bounds, cheapest first: block triangle bound, cell triangle bound,
 * half dot + Cauchy–Schwarz, double dot; survivors get the exact float32 score.
 */
function scanSegment(state: ScanState, frame: KeyFrameData, base: number, q: number, y: number, xa: number, xb: number): void {
  const { heapValues, heapIndices, k, temperature32, margin, width, D, split, P, query, queryPivots } = state;
  const { keys, table, blocks, tails, exact, stamps } = frame;
  const stride = 1 + P;
  const blockStride = 1 + 2 * P;
  const blocksPerRow = Math.ceil(width / BLOCK);
  const qp = q * stride;
  const queryNorm = queryPivots[qp];
  const queryTail = state.queryTails[q];
  const qOffset = q * D;
  let filled = state.filled;
  let rejectBelow = state.rejectBelow;
  let x = xa;
  while (x <= xb) {
    const blockEnd = Math.min(xb, (Math.floor(x / BLOCK) + 1) * BLOCK - 1);
    if (rejectBelow > -Infinity) {
      const o = (y * blocksPerRow + Math.floor(x / BLOCK)) * blockStride;
      let gap = 0;
      for (let p = 0; p < P; p++) {
        const d = queryPivots[qp + 1 + p];
        const g = Math.max(blocks[o + 1 + 2 * p] - d, d - blocks[o + 2 + 2 * p]);
        if (g > gap) gap = g;
      }
      if ((queryNorm + blocks[o] - gap * gap) * 0.5 + 1e-9 < rejectBelow) {
        x = blockEnd + 1;
        continue;
      }
    }
    for (; x <= blockEnd; x++) {
      const m = y * width + x;
      if (stamps[m] !== q) {
        if (rejectBelow > -Infinity) {
          const kp = m * stride;
          let gap = 0;
          for (let p = 1; p <= P; p++) {
            const g = Math.abs(queryPivots[qp + p] - table[kp + p]);
            if (g > gap) gap = g;
          }
          if ((queryNorm + table[kp] - gap * gap) * 0.5 + 1e-9 < rejectBelow) continue;
          const head = partialDot(keys, m * D, query, qOffset, 0, split);
          if (head + tails[m] * queryTail < rejectBelow) continue;
          if (head + partialDot(keys, m * D, query, qOffset, split, D) < rejectBelow) continue;
        }
        exact[m] = f32(exactDot(keys, m * D, query, qOffset, D) / temperature32);
        stamps[m] = q;
      }
      const value = exact[m];
      if (state.collecting && (filled < k || value >= heapValues[0])) collect(state, value, base + m);
      if (filled < k) {
        heapValues[filled] = value;
        heapIndices[filled++] = base + m;
        if (filled === k) {
          makeHeap(heapValues, heapIndices, k);
          rejectBelow = Math.max(heapValues[0], state.floorScore) * temperature32 - margin;
        }
      } else if (value > heapValues[0]) {
        replaceTop(heapValues, heapIndices, k, value, base + m);
        rejectBelow = Math.max(heapValues[0], state.floorScore) * temperature32 - margin;
      }
    }
  }
  state.filled = filled;
  state.rejectBelow = rejectBelow;
}

function collect(state: ScanState, value: number, index: number): void {
  if (state.collectedCount === state.collectedValues.length) {
    const values = new Float32Array(state.collectedValues.length * 2);
    const indices = new Int32Array(values.length);
    values.set(state.collectedValues);
    indices.set(state.collectedIndices);
    state.collectedValues = values;
    state.collectedIndices = indices;
  }
  state.collectedValues[state.collectedCount] = value;
  state.collectedIndices[state.collectedCount++] = index;
}

/** Half-width (in cells) of the radius window on each row offset dy = -reach..reach; -1 when the row is empty. */
function windowHalfWidths(radiusCells: number): { reach: number; halfWidth: Int32Array } {
  const reach = Math.ceil(radiusCells);
  const halfWidth = new Int32Array(2 * reach + 1).fill(-1);
  const { dy, dx } = windowOffsets(radiusCells);
  for (let i = 0; i < dy.length; i++) halfWidth[dy[i] + reach] = Math.max(halfWidth[dy[i] + reach], Math.abs(dx[i]));
  return { reach, halfWidth };
}

/** Offers every candidate of every slot, in reference order (long-term slots whole, short-term within the radius). */
function scanAll(
  state: ScanState,
  slots: ContextSlot[],
  slotFrames: KeyFrameData[],
  q: number,
  x: number,
  y: number,
  height: number,
  reach: number,
  halfWidth: Int32Array,
  N: number,
  floorScore: number,
  collecting: boolean,
): void {
  const width = state.width;
  state.filled = 0;
  state.collecting = collecting;
  state.collectedCount = 0;
  state.floorScore = floorScore;
  state.rejectBelow = floorScore > -Infinity ? floorScore * state.temperature32 - state.margin : -Infinity;
  for (let s = 0; s < slots.length; s++) {
    const frame = slotFrames[s];
    const base = s * N;
    if (!slots[s].restricted) {
      for (let row = 0; row < height; row++) scanSegment(state, frame, base, q, row, 0, width - 1);
      continue;
    }
    for (let dy = -reach; dy <= reach; dy++) {
      const row = y + dy;
      const half = halfWidth[dy + reach];
      if (row < 0 || row >= height || half < 0) continue;
      scanSegment(state, frame, base, q, row, Math.max(0, x - half), Math.min(width - 1, x + half));
    }
  }
}

/** exact float32 score of candidate cell m of a slot's frame for query q (cached per query). */
function exactScore(state: ScanState, frame: KeyFrameData, q: number, m: number): number {
  if (frame.stamps[m] !== q) {
    frame.exact[m] = f32(exactDot(frame.keys, m * state.D, state.query, q * state.D, state.D) / state.temperature32);
    frame.stamps[m] = q;
  }
  return frame.exact[m];
}

/**
 * A score ≤ the final k-th best: the k-th best of a few real candidates (5×5 around the query in the first and the
 * last slot). Any k candidates give such a floor, and near ones are usually good, so screening bites from the start.
 */
function seedFloor(state: ScanState, slots: ContextSlot[], slotFrames: KeyFrameData[], q: number, x: number, y: number, height: number, radiusCells: number, N: number): number {
  const seeds: number[] = [];
  const width = state.width;
  for (const s of new Set([0, slots.length - 1])) {
    const spread = slots[s].restricted ? Math.min(2, Math.floor(radiusCells / Math.SQRT2 - 1e-9)) : 2;
    for (let dy = -spread; dy <= spread; dy++) {
      for (let dx = -spread; dx <= spread; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
        seeds.push(exactScore(state, slotFrames[s], q, yy * width + xx));
      }
    }
  }
  if (seeds.length < state.k || N * slots.length < state.k) return -Infinity;
  seeds.sort((a, b) => b - a);
  return seeds[state.k - 1];
}

/**
 * After a fast-path scan: if exactly k candidates score ≥ the k-th value, the top-k set is the reference's whatever
 * the heap history; order it by value (equal values must carry equal labels, or the summation order could differ).
 * Returns false when the exact replay is needed.
 */
function resolveUnique(state: ScanState, slots: ContextSlot[], L: number, N: number): boolean {
  const { heapValues, heapIndices, k } = state;
  if (state.filled < k) return false;
  const kth = heapValues[0];
  let atLeast = 0;
  for (let i = 0; i < state.collectedCount; i++) if (state.collectedValues[i] >= kth) atLeast++;
  if (atLeast !== k) {
    // Several candidates tie at the k-th value: which ones the reference keeps does not matter if they all carry
    // the same labels (the frame-0 copies of the context padding do).
    let first = -1;
    for (let i = 0; i < state.collectedCount; i++) {
      if (state.collectedValues[i] !== kth) continue;
      const index = state.collectedIndices[i];
      if (first < 0) first = index;
      else if (!sameLabels(slots, L, N, first, index)) return false;
    }
  }
  for (let i = 1; i < k; i++) {
    const value = heapValues[i];
    const index = heapIndices[i];
    let j = i - 1;
    while (j >= 0 && heapValues[j] < value) {
      heapValues[j + 1] = heapValues[j];
      heapIndices[j + 1] = heapIndices[j];
      j--;
    }
    heapValues[j + 1] = value;
    heapIndices[j + 1] = index;
  }
  for (let i = 1; i < k; i++) {
    if (heapValues[i] !== heapValues[i - 1]) continue;
    if (!sameLabels(slots, L, N, heapIndices[i - 1], heapIndices[i])) return false;
  }
  return true;
}

function sameLabels(slots: ContextSlot[], L: number, N: number, a: number, b: number): boolean {
  const la = slots[(a / N) | 0].labels;
  const lb = slots[(b / N) | 0].labels;
  const oa = (a % N) * L;
  const ob = (b % N) * L;
  for (let c = 0; c < L; c++) if (la[oa + c] !== lb[ob + c]) return false;
  return true;
}

/**
 * Runs the kernel on rows [rowStart, rowEnd) of the query frame. Long-term (unrestricted) slots must come first
 * (reference order: long_mem then the short-term slots). Only candidates that a bound cannot rule out get their
 * exact float32 score, which decides, so the selection is exactly the reference's.
 */
export function propagateRows(task: KernelTask): void {
  const { width, height, featureChannels: D, labelChannels: L, query, slots, settings, out } = task;
  const N = width * height;
  const k = Math.min(settings.topK, N * slots.length);
  const temperature32 = f32(settings.temperature);
  const { reach, halfWidth } = windowHalfWidths(settings.radiusCells);
  // Screening reads the first `split` channels before the Cauchy–Schwarz bound of the rest.
  const split = D >= 16 ? (D >> 1) & ~3 : D;
  const pivots = choosePivots(query, N, D, PIVOT_COUNT);
  const P = pivots.length;
  // Slots showing the same features array share screening data and exact scores (the reference's frame-0 copies).
  const frames = new Map<Float32Array, KeyFrameData>();
  for (const slot of slots) {
    if (frames.has(slot.features)) continue;
    const table = pivotTable(slot.features, N, D, pivots);
    frames.set(slot.features, {
      keys: slot.features,
      table,
      blocks: blockTable(table, width, height, P),
      tails: tailNorms(slot.features, N, D, split),
      exact: new Float32Array(N),
      stamps: new Int32Array(N).fill(-1),
    });
  }
  const slotFrames = slots.map((slot) => frames.get(slot.features)!);
  const heapValues = new Float32Array(k);
  const heapIndices = new Int32Array(k);
  const weights = new Float32Array(k);
  const state: ScanState = {
    heapValues,
    heapIndices,
    k,
    filled: 0,
    rejectBelow: -Infinity,
    temperature32,
    // |exact − double| ≤ D·2⁻²⁴·Σ|aᵢbᵢ| ≈ 3e-6 for unit vectors; a wide margin (dot units) covers other input.
    margin: 1e-4,
    width,
    D,
    split,
    P,
    query,
    queryPivots: pivotTable(query, N, D, pivots),
    queryTails: tailNorms(query, N, D, split),
    collecting: false,
    collectedValues: new Float32Array(256),
    collectedIndices: new Int32Array(256),
    collectedCount: 0,
    floorScore: -Infinity,
  };
  for (let y = task.rowStart; y < task.rowEnd; y++) {
    for (let x = 0; x < width; x++) {
      const q = y * width + x;
      const floor = seedFloor(state, slots, slotFrames, q, x, y, height, settings.radiusCells, N);
      scanAll(state, slots, slotFrames, q, x, y, height, reach, halfWidth, N, floor, true);
      if (!resolveUnique(state, slots, L, N)) {
        // Ties at the k-th value (or equal scores with different labels): only the reference's exact heap
        // history decides, so replay every candidate in order.
        scanAll(state, slots, slotFrames, q, x, y, height, reach, halfWidth, N, -Infinity, false);
        if (state.filled < k) makeHeap(heapValues, heapIndices, state.filled);
        sortHeap(heapValues, heapIndices, state.filled);
      }
      const filled = state.filled;
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
