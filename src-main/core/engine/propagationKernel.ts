/**
 * The per-frame kernel of label propagation (SPEC §2.5–2.6): for a band of query rows, top-k over the context
 * nodes, softmax with temperature, weighted sum of context labels. Only the local windows of the restricted slots
 * are evaluated (never a dense HW×HW affinity); slot order, candidate order and top-k tie handling match the
 * reference so the selected neighbours are the same. Pure function of typed arrays so worker threads can run it
 * on SharedArrayBuffers.
 */
import { BLOCK, exactDot, partialDot, principalBasis, projectionBlocks, projectionTable, tailNorms, twinCells } from './kernelScreening.ts';
import { makeHeap, replaceTop, sortHeap } from './topK.ts';

/** A frame's top-k candidates per query cell, recorded by the kernels (frameSelection.ts applies labels to it). */
export interface FrameSelection {
  k: number;
  /** N×k scores (descending per cell). */
  values: Float32Array;
  /** N×k candidates, slot index · N + cell. */
  indices: Int32Array;
}

const f32 = Math.fround;
/** Principal directions for the projection screen. */
const PRINCIPAL_COUNT = 8;

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
  /** When set, each solved cell's top-k (sorted) is recorded here too (see frameSelection.ts). */
  selection?: FrameSelection;
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

/** Per-features screening data, shared by every slot showing the same frame. */
interface KeyFrameData {
  keys: Float32Array;
  tails: Float64Array;
  /** Projections on the principal basis + remainder norm (see projectionTable). */
  projections: Float64Array;
  /** Per-block projection ranges (see projectionBlocks). */
  projectionRanges: Float64Array;
  /**
   * float32 scores computed for the current query (valid where stamps[m] === query index), kept at the first cell
   * of each group of bit-identical feature vectors (`twinOf`): flat image regions give thousands of exactly tied
   * candidates, and they share one score.
   */
  exact: Float32Array;
  stamps: Int32Array;
  twinOf: Int32Array;
  /**
   * The tightest bound (dot units) a screen computed for the current query and rejected the cell with (valid where
   * boundStamps[m] === query index). The short-term copies of a frame offer its cells again, and the reject bar
   * only rises within a scan, so the same comparison is answered without recomputing the dot products.
   */
  bounds: Float64Array;
  boundStamps: Int32Array;
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
  query: Float32Array;
  queryTails: Float64Array;
  queryProjections: Float64Array;
  R: number;
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
 * not take it, so the heap evolves as in torch. Bounds, cheapest first: block projection bound, cell projection
 * bound, half dot + Cauchy–Schwarz, double dot; survivors get the exact float32 score.
 */
function scanSegment(state: ScanState, frame: KeyFrameData, base: number, q: number, y: number, xa: number, xb: number): void {
  const { heapValues, heapIndices, k, temperature32, margin, width, D, split, query } = state;
  const { keys, tails, exact, stamps, twinOf, bounds, boundStamps, projections, projectionRanges } = frame;
  const { queryProjections, R } = state;
  const qr = q * (R + 1);
  const blocksPerRow = Math.ceil(width / BLOCK);
  const queryTail = state.queryTails[q];
  const qOffset = q * D;
  let filled = state.filled;
  let rejectBelow = state.rejectBelow;
  let x = xa;
  while (x <= xb) {
    const blockEnd = Math.min(xb, (Math.floor(x / BLOCK) + 1) * BLOCK - 1);
    if (rejectBelow > -Infinity) {
      const o = (y * blocksPerRow + Math.floor(x / BLOCK)) * (2 * R + 1);
      let bound = queryProjections[qr + R] * projectionRanges[o + 2 * R] + 1e-9;
      for (let r = 0; r < R; r++) {
        const v = queryProjections[qr + r];
        bound += v >= 0 ? v * projectionRanges[o + 2 * r + 1] : v * projectionRanges[o + 2 * r];
      }
      if (bound < rejectBelow) {
        x = blockEnd + 1;
        continue;
      }
    }
    for (; x <= blockEnd; x++) {
      const cell = y * width + x;
      const m = twinOf[cell];
      if (stamps[m] !== q) {
        if (rejectBelow > -Infinity) {
          if (boundStamps[m] === q && bounds[m] < rejectBelow) continue;
          const kr = m * (R + 1);
          let projected = queryProjections[qr + R] * projections[kr + R] + 1e-9;
          for (let r = 0; r < R; r++) projected += queryProjections[qr + r] * projections[kr + r];
          if (projected < rejectBelow) continue;
          const head = partialDot(keys, m * D, query, qOffset, 0, split);
          const halfBound = head + tails[m] * queryTail;
          boundStamps[m] = q;
          if (halfBound < rejectBelow) {
            bounds[m] = halfBound;
            continue;
          }
          const dot = head + partialDot(keys, m * D, query, qOffset, split, D);
          bounds[m] = dot;
          if (dot < rejectBelow) continue;
        }
        exact[m] = f32(exactDot(keys, m * D, query, qOffset, D) / temperature32);
        stamps[m] = q;
      }
      const value = exact[m];
      if (state.collecting && (filled < k || value >= heapValues[0])) collect(state, value, base + cell);
      if (filled < k) {
        heapValues[filled] = value;
        heapIndices[filled++] = base + cell;
        if (filled === k) {
          makeHeap(heapValues, heapIndices, k);
          rejectBelow = Math.max(heapValues[0], state.floorScore) * temperature32 - margin;
        }
      } else if (value > heapValues[0]) {
        replaceTop(heapValues, heapIndices, k, value, base + cell);
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
function exactScore(state: ScanState, frame: KeyFrameData, q: number, cell: number): number {
  const m = frame.twinOf[cell];
  if (frame.stamps[m] !== q) {
    frame.exact[m] = f32(exactDot(frame.keys, m * state.D, state.query, q * state.D, state.D) / state.temperature32);
    frame.stamps[m] = q;
  }
  return frame.exact[m];
}

/**
 * A score ≤ the final k-th best: the k-th best of some distinct real candidates (any k give such a floor; near ones
 * are usually good), so screening bites from the first candidate on.
 */
function seedFloor(state: ScanState, slots: ContextSlot[], slotFrames: KeyFrameData[], q: number, x: number, y: number, height: number, radiusCells: number, N: number): number {
  const seeds: number[] = [];
  const width = state.width;
  const seen = new Set<KeyFrameData>();
  // The query's own cell in every distinct context frame (static content scores high there)…
  for (let s = 0; s < slots.length; s++) {
    if (seen.has(slotFrames[s])) continue;
    seen.add(slotFrames[s]);
    seeds.push(exactScore(state, slotFrames[s], q, q));
  }
  // …and the 5×5 neighbourhood in the first and the last slot.
  for (const s of new Set([0, slots.length - 1])) {
    const spread = slots[s].restricted ? Math.min(2, Math.floor(radiusCells / Math.SQRT2 - 1e-9)) : 2;
    for (let dy = -spread; dy <= spread; dy++) {
      for (let dx = -spread; dx <= spread; dx++) {
        const yy = y + dy;
        const xx = x + dx;
        if ((dx === 0 && dy === 0) || yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
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

export function sameLabels(slots: ContextSlot[], L: number, N: number, a: number, b: number): boolean {
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
  const kernel = prepareKernel(task);
  for (let q = task.rowStart * task.width; q < task.rowEnd * task.width; q++) solveCell(kernel, q);
}

/** Same as propagateRows for an arbitrary list of query cells (the exact fallback of the matrix-multiply runner). */
export function propagateCells(task: Omit<KernelTask, 'rowStart' | 'rowEnd'>, cells: Int32Array | number[]): void {
  // A handful of cells: the principal-direction screen would cost more to set up than it saves.
  const kernel = prepareKernel({ ...task, rowStart: 0, rowEnd: 0 }, 0);
  for (const q of cells) solveCell(kernel, q);
}

interface PreparedKernel {
  task: KernelTask;
  state: ScanState;
  slotFrames: KeyFrameData[];
  weights: Float32Array;
  reach: number;
  halfWidth: Int32Array;
  N: number;
  k: number;
}

function prepareKernel(task: KernelTask, principalCount = PRINCIPAL_COUNT): PreparedKernel {
  const { width, height, featureChannels: D, query, slots, settings } = task;
  const N = width * height;
  const k = Math.min(settings.topK, N * slots.length);
  const temperature32 = f32(settings.temperature);
  const { reach, halfWidth } = windowHalfWidths(settings.radiusCells);
  // Screening reads the first `split` channels before the Cauchy–Schwarz bound of the rest.
  const split = D >= 16 ? (D >> 1) & ~3 : D;
  const basis = principalCount > 0 ? principalBasis(query, N, D, principalCount) : [];
  // Slots showing the same features array share screening data and exact scores (the reference's frame-0 copies).
  const frames = new Map<Float32Array, KeyFrameData>();
  for (const slot of slots) {
    if (frames.has(slot.features)) continue;
    const projections = projectionTable(slot.features, N, D, basis);
    frames.set(slot.features, {
      keys: slot.features,
      tails: tailNorms(slot.features, N, D, split),
      projections,
      projectionRanges: projectionBlocks(projections, width, height, basis.length),
      exact: new Float32Array(N),
      stamps: new Int32Array(N).fill(-1),
      twinOf: twinCells(slot.features, N, D),
      bounds: new Float64Array(N),
      boundStamps: new Int32Array(N).fill(-1),
    });
  }
  const slotFrames = slots.map((slot) => frames.get(slot.features)!);
  const state: ScanState = {
    heapValues: new Float32Array(k),
    heapIndices: new Int32Array(k),
    k,
    filled: 0,
    rejectBelow: -Infinity,
    temperature32,
    // |exact − double| ≤ D·2⁻²⁴·Σ|aᵢbᵢ| ≈ 3e-6 for unit vectors; a wide margin (dot units) covers other input.
    margin: 1e-4,
    width,
    D,
    split,
    query,
    queryTails: tailNorms(query, N, D, split),
    queryProjections: projectionTable(query, N, D, basis),
    R: basis.length,
    collecting: false,
    collectedValues: new Float32Array(256),
    collectedIndices: new Int32Array(256),
    collectedCount: 0,
    floorScore: -Infinity,
  };
  return { task, state, slotFrames, weights: new Float32Array(k), reach, halfWidth, N, k };
}

/** Exact top-k, softmax and label sum for query cell q (written to task.out). */
function solveCell(kernel: PreparedKernel, q: number): void {
  const { task, state, slotFrames, weights, reach, halfWidth, N, k } = kernel;
  const { width, height, labelChannels: L, slots, settings, out } = task;
  const { heapValues, heapIndices } = state;
  const x = q % width;
  const y = (q - x) / width;
  const floor = seedFloor(state, slots, slotFrames, q, x, y, height, settings.radiusCells, N);
  scanAll(state, slots, slotFrames, q, x, y, height, reach, halfWidth, N, floor, true);
  if (!resolveUnique(state, slots, L, N)) {
    // Ties at the k-th value (or equal scores with different labels): only the reference's exact heap
    // history decides, so replay every candidate in order.
    scanAll(state, slots, slotFrames, q, x, y, height, reach, halfWidth, N, -Infinity, false);
    if (state.filled < k) makeHeap(heapValues, heapIndices, state.filled);
    sortHeap(heapValues, heapIndices, state.filled);
  }
  accumulateLabels(heapValues, heapIndices, state.filled, weights, slots, N, L, out, q);
  if (task.selection) recordSelection(task.selection, q, heapValues, heapIndices, state.filled);
}

/** Records cell q's sorted top-k candidates and scores. */
export function recordSelection(selection: FrameSelection, q: number, values: Float32Array, indices: Int32Array, count: number): void {
  if (count !== selection.k) throw new Error(`cell ${q} selected ${count} candidates, the selection holds ${selection.k}`);
  selection.values.set(values.subarray(0, count), q * count);
  selection.indices.set(indices.subarray(0, count), q * count);
}

/** Softmax of the sorted top-k scores and the weighted label sum, in the reference's float32 order. */
export function accumulateLabels(
  values: Float32Array,
  indices: Int32Array,
  count: number,
  weights: Float32Array,
  slots: ContextSlot[],
  N: number,
  L: number,
  out: Float32Array,
  q: number,
): void {
  softmaxInto(values, weights, count);
  const o = q * L;
  for (let c = 0; c < L; c++) out[o + c] = 0;
  for (let i = 0; i < count; i++) {
    const index = indices[i];
    const slotIndex = (index / N) | 0;
    const labels = slots[slotIndex].labels;
    const l = (index - slotIndex * N) * L;
    const weight = weights[i];
    for (let c = 0; c < L; c++) out[o + c] = out[o + c] + f32(labels[l + c] * weight);
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
