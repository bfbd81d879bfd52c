/**
 * The kernel with matrix-multiply scoring: onnxruntime's GEMM (MLAS, AVX2/AVX-512) scores a tile of query cells
 * against the union of their radius windows in every short-term slot, and against every cell of the long-term
 * slots; JavaScript then picks the top-k per cell. The result is exactly the reference's: GEMM scores only decide
 * which candidates can matter (everything within a proven error bound of the k-th best), those few get the
 * reference's float32 score (exactDot), and a cell whose top-k is not provably unique is solved by the exact
 * kernel (propagateCells). Same FrameJob in, same bits out as the JS kernel.
 */
import * as ort from 'onnxruntime-node';
import { type FrameJob, type KernelRunner } from './kernelRunner.ts';
import { exactDot } from './kernelScreening.ts';
import { accumulateLabels, type ContextSlot, propagateCells, recordSelection, sameLabels, windowOffsets } from './propagationKernel.ts';
import { OnnxGraphBuilder } from '../onnx/onnxGraphBuilder.ts';

const f32 = Math.fround;
/** Query tile (cells); the key region of a short-term slot is the tile grown by the window reach. */
export const TILE_ROWS = 8;
const TILE_COLS = 8;

/**
 * Long-term (unrestricted) frames are scored against every cell; the selection then only needs each query's best
 * TOP_CANDIDATES scores, which onnxruntime's TopK returns. The k-th value and the error bound decide afterwards
 * whether those were enough (see gemmRows); frames smaller than FULL_SCAN_CELLS are scanned whole.
 */
const TOP_CANDIDATES = 64;
const FULL_SCAN_CELLS = 4 * TOP_CANDIDATES;

function gemmModel(top: boolean): Uint8Array {
  const builder = new OnnxGraphBuilder();
  builder.addInput('queries', ['m', 'd']);
  builder.addInput('keys', ['n', 'd']);
  builder.add('Gemm', ['queries', 'keys'], { transB: 1 }, 'scores');
  if (!top) {
    builder.addOutput('scores', ['m', 'n']);
    return builder.encode('correspond_scores');
  }
  builder.addInt64Initializer('candidates', [1], [TOP_CANDIDATES]);
  builder.addNode('TopK', ['scores', 'candidates'], { outputs: ['values', 'cells'], attributes: { axis: 1, largest: 1, sorted: 1 } });
  builder.addOutput('values', ['m', TOP_CANDIDATES]);
  builder.addOutput('cells', ['m', TOP_CANDIDATES], 'int64');
  return builder.encode('correspond_top_scores');
}

/** The two scoring sessions of one thread: all scores of a key matrix, or only each query's best ones. */
export interface GemmSessions {
  scores: ort.InferenceSession;
  top: ort.InferenceSession;
}

/** Where one distinct features array's scores for the current tile live. */
interface ScoreSource {
  features: Float32Array;
  /** Whole frame scored (some slot uses it unrestricted), else only the tile's key region. */
  full: boolean;
  /** m × rowStride scores; this frame's columns start at `offset`. */
  scores: Float32Array;
  /** Only each query's best scores (descending, rowStride of them per row): their key cells. */
  cells?: Int32Array;
  rowStride: number;
  offset: number;
  /** Region geometry (full: the whole grid). */
  x0: number;
  y0: number;
  regionWidth: number;
  regionCells: number;
}

export interface GemmRunnerOptions {
  threads: number;
}

export class GemmKernelRunner implements KernelRunner {
  readonly threads: number;
  readonly name: string;
  private session: Promise<GemmSessions> | undefined;
  /** Cells solved by the exact fallback in the last run (ties at the k-th value). */
  lastFallbackCells = 0;

  constructor(options: GemmRunnerOptions) {
    this.threads = Math.max(1, Math.floor(options.threads));
    this.name = `onnxruntime GEMM + exact top-k · ${this.threads} thread${this.threads === 1 ? '' : 's'}`;
  }

  private sessionOf(): Promise<GemmSessions> {
    this.session ??= createGemmSession(this.threads);
    return this.session;
  }

  async run(job: FrameJob): Promise<Float32Array> {
    const session = await this.sessionOf();
    const out = new Float32Array(job.width * job.height * job.labelChannels);
    this.lastFallbackCells = await gemmRows(session, job, 0, job.height, out);
    return out;
  }

  async close(): Promise<void> {
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    if (session) await releaseGemmSessions(session);
  }
}

/** The scoring sessions: queries × keysᵀ by one Gemm node, alone or followed by TopK. */
export async function createGemmSession(threads: number): Promise<GemmSessions> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const [scores, top] = await Promise.all([ort.InferenceSession.create(gemmModel(false), options), ort.InferenceSession.create(gemmModel(true), options)]);
  return { scores, top };
}

export async function releaseGemmSessions(sessions: GemmSessions): Promise<void> {
  await Promise.all([sessions.scores.release(), sessions.top.release()]);
}

function scoreInputs(queries: Float32Array, m: number, keys: Float32Array, n: number, d: number) {
  return { queries: new ort.Tensor('float32', queries, [m, d]), keys: new ort.Tensor('float32', keys, [n, d]) };
}

async function gemm(sessions: GemmSessions, queries: Float32Array, m: number, keys: Float32Array, n: number, d: number): Promise<Float32Array> {
  const result = await sessions.scores.run(scoreInputs(queries, m, keys, n, d));
  return result.scores.data as Float32Array;
}

/** Each query's TOP_CANDIDATES best scores (descending) and their key cells. */
async function gemmTop(sessions: GemmSessions, queries: Float32Array, m: number, keys: Float32Array, n: number, d: number): Promise<{ values: Float32Array; cells: Int32Array }> {
  const result = await sessions.top.run(scoreInputs(queries, m, keys, n, d));
  return { values: result.values.data as Float32Array, cells: Int32Array.from(result.cells.data as BigInt64Array, Number) };
}

/**
 * Solves query rows [rowStart, rowEnd) of a frame into `out` (N×L); returns how many cells needed the exact
 * fallback. Rows are processed in tiles of TILE_ROWS, so bands should start on a multiple of it.
 */
export async function gemmRows(session: GemmSessions, job: FrameJob, rowStart: number, rowEnd: number, out: Float32Array): Promise<number> {
  {
    const { width, height, featureChannels: D, labelChannels: L, slots, settings } = job;
    const N = width * height;
    const k = Math.min(settings.topK, N * slots.length);
    const temperature32 = f32(settings.temperature);
    const { dy: windowDy, dx: windowDx } = windowOffsets(settings.radiusCells);
    const reach = Math.ceil(settings.radiusCells);
    const query = plain(job.query);
    // Distinct feature arrays; the reference's frame-0 copies share one.
    const distinct = new Map<Float32Array, { full: boolean; plain: Float32Array }>();
    for (const slot of slots) {
      const entry = distinct.get(slot.features) ?? { full: false, plain: plain(slot.features) };
      entry.full ||= !slot.restricted;
      distinct.set(slot.features, entry);
    }
    let maxKeyNorm = 0;
    for (const { plain: keys } of distinct.values()) maxKeyNorm = Math.max(maxKeyNorm, maxRowNorm(keys, N, D));
    const queryNorms = rowNorms(query, N, D);
    const fallback: number[] = [];

    // Per-cell scratch.
    const heapValues = new Float32Array(k);
    const weights = new Float32Array(k);
    let candValues = new Float32Array(1024);
    let candSlots = new Int32Array(1024);
    let candCells = new Int32Array(1024);
    let exactValues = new Float32Array(256);
    let exactIndices = new Int32Array(256);
    // The current query cell's selection state: a min-heap of the k best GEMM scores (counting copies), the bar
    // (k-th best minus twice the error bound; only rises) and the candidates collected at or above it.
    let twiceBound = 0;
    let filled = 0;
    let bar = -Infinity;
    let count = 0;
    /** Collects a candidate at or above the bar and counts it `times` times (once per copy) into the heap. */
    const consider = (value: number, group: number, cell: number, times: number): void => {
      if (count === candValues.length) [candValues, candSlots, candCells] = [grow(candValues), grow(candSlots), grow(candCells)];
      candValues[count] = value;
      candSlots[count] = group;
      candCells[count++] = cell;
      for (let copy = 0; copy < times; copy++) {
        if (filled < k) {
          heapValues[filled++] = value;
          if (filled === k) {
            heapify(heapValues, k);
            bar = heapValues[0] - twiceBound;
          }
        } else if (value > heapValues[0]) {
          heapValues[0] = value;
          siftDown(heapValues, k, 0);
          bar = heapValues[0] - twiceBound;
        } else break;
      }
    };
    // Short-term slots from the newest back, then the long-term ones. Copies (the same features and labels, the
    // same restriction: the reference's frame-0 padding) are scanned once; each of their candidates counts once per
    // copy, at most k times, as the reference's top-k over the literal copies would see it.
    const slotOrder = [
      ...slots.map((_, s) => s).filter((s) => slots[s].restricted).reverse(),
      ...slots.map((_, s) => s).filter((s) => !slots[s].restricted),
    ];
    const copies: number[][] = [];
    for (const s of slotOrder) {
      const twin = copies.find(([first]) => slots[first].features === slots[s].features && slots[first].labels === slots[s].labels && slots[first].restricted === slots[s].restricted);
      if (twin) twin.push(s);
      else copies.push([s]);
    }
    const multiplicity = copies.map((group) => Math.min(group.length, k));
    // Short-term copies of a long-term frame (same features and labels) score exactly what the long-term slot scores
    // inside the radius: they are not scanned at all, the long-term candidates inside the window count once more per
    // copy instead.
    const folded: Array<number[] | undefined> = copies.map(() => undefined);
    const skipped = copies.map(() => false);
    copies.forEach((group, g) => {
      const first = slots[group[0]];
      if (!first.restricted) return;
      const anchor = copies.findIndex(([u]) => !slots[u].restricted && slots[u].features === first.features && slots[u].labels === first.labels);
      if (anchor < 0 || folded[anchor]) return;
      folded[anchor] = group;
      skipped[g] = true;
    });
    const halfWidth = new Int32Array(2 * Math.ceil(settings.radiusCells) + 1).fill(-1);
    for (let i = 0; i < windowDy.length; i++) {
      const slot = windowDy[i] + Math.ceil(settings.radiusCells);
      halfWidth[slot] = Math.max(halfWidth[slot], Math.abs(windowDx[i]));
    }
    // A long-term frame no unfolded short-term slot reads gets only each query's best scores from onnxruntime.
    const scannedWindowed = new Set(copies.filter((group, g) => !skipped[g] && slots[group[0]].restricted).map(([s]) => slots[s].features));
    const topOnly = new Set<Float32Array>();
    if (N > FULL_SCAN_CELLS && 2 * k <= TOP_CANDIDATES) {
      for (const [features, entry] of distinct) if (entry.full && !scannedWindowed.has(features)) topOnly.add(features);
    }
    /** Whether key cell `cell` lies within the radius of query cell (x, y) (the short-term window). */
    const inWindow = (cell: number, x: number, y: number): boolean => {
      const cy = Math.floor(cell / width);
      const dy = cy - y;
      if (dy < -reach || dy > reach) return false;
      const half = halfWidth[dy + reach];
      return half >= 0 && Math.abs(cell - cy * width - x) <= half;
    };
    const topValues = new Float32Array(k);
    const topIndices = new Int32Array(k);

    const tiles: Array<{ x0: number; y0: number; x1: number; y1: number }> = [];
    for (let y0 = rowStart; y0 < rowEnd; y0 += TILE_ROWS) {
      for (let x0 = 0; x0 < width; x0 += TILE_COLS) tiles.push({ x0, y0, x1: Math.min(width, x0 + TILE_COLS), y1: Math.min(rowEnd, y0 + TILE_ROWS) });
    }

    /** Starts the GEMMs of one tile (they run on onnxruntime's threads while JS selects the previous tile). */
    // Gather buffers, two of each: at most two tiles are in flight (one scored, one being selected).
    const maxRegion = Math.min(width, TILE_COLS + 2 * reach) * Math.min(height, TILE_ROWS + 2 * reach);
    const windowedCount = [...distinct.values()].filter((entry) => !entry.full).length;
    const keyBuffers = [0, 1].map(() => new Float32Array(Math.max(1, windowedCount * maxRegion * D)));
    const queryBuffers = [0, 1].map(() => new Float32Array(TILE_ROWS * TILE_COLS * D));
    let parity = 0;
    const scoreTile = (tile: (typeof tiles)[number]) => {
      parity ^= 1;
      const tileWidth = tile.x1 - tile.x0;
      const m = tileWidth * (tile.y1 - tile.y0);
      const queries = queryBuffers[parity].subarray(0, m * D);
      for (let y = tile.y0; y < tile.y1; y++) {
        queries.set(query.subarray((y * width + tile.x0) * D, (y * width + tile.x1) * D), (y - tile.y0) * tileWidth * D);
      }
      const rx0 = Math.max(0, tile.x0 - reach);
      const rx1 = Math.min(width, tile.x1 + reach);
      const ry0 = Math.max(0, tile.y0 - reach);
      const ry1 = Math.min(height, tile.y1 + reach);
      const regionWidth = rx1 - rx0;
      const regionCells = regionWidth * (ry1 - ry0);
      // Long-term frames: one GEMM each against the whole frame, no copy. Short-term frames: their key regions
      // stacked into one matrix and scored by a single GEMM (few, large calls keep onnxruntime busy).
      const jobs: Array<Promise<ScoreSource[]>> = [];
      const windowed: Array<[Float32Array, Float32Array]> = [];
      for (const [features, entry] of distinct) {
        if (!entry.full) {
          windowed.push([features, entry.plain]);
          continue;
        }
        jobs.push(
          topOnly.has(features)
            ? gemmTop(session, queries, m, entry.plain, N, D).then(({ values, cells }) => [
                { features, full: true, scores: values, cells, rowStride: TOP_CANDIDATES, offset: 0, x0: 0, y0: 0, regionWidth: width, regionCells: N },
              ])
            : gemm(session, queries, m, entry.plain, N, D).then((scores) => [
                { features, full: true, scores, rowStride: N, offset: 0, x0: 0, y0: 0, regionWidth: width, regionCells: N },
              ]),
        );
      }
      if (windowed.length > 0) {
        const keys = keyBuffers[parity].subarray(0, windowed.length * regionCells * D);
        windowed.forEach(([, frame], j) => {
          const start = j * regionCells * D;
          for (let y = ry0; y < ry1; y++) keys.set(frame.subarray((y * width + rx0) * D, (y * width + rx1) * D), start + (y - ry0) * regionWidth * D);
        });
        const columns = windowed.length * regionCells;
        jobs.push(
          gemm(session, queries, m, keys, columns, D).then((scores) =>
            windowed.map(([features], j) => ({ features, full: false, scores, rowStride: columns, offset: j * regionCells, x0: rx0, y0: ry0, regionWidth, regionCells })),
          ),
        );
      }
      return Promise.all(jobs).then((groups) => ({ tile, m, sources: new Map(groups.flat().map((source) => [source.features, source])) }));
    };

    if (tiles.length === 0) return 0;
    let pending = scoreTile(tiles[0]);
    for (let t = 0; t < tiles.length; t++) {
      const scored = await pending;
      if (t + 1 < tiles.length) pending = scoreTile(tiles[t + 1]);
      const { tile, m, sources } = scored;
      const tileWidth = tile.x1 - tile.x0;
      const slotSources = slots.map((slot) => sources.get(slot.features)!);
      for (let row = 0; row < m; row++) {
        const x = tile.x0 + (row % tileWidth);
        const y = tile.y0 + Math.floor(row / tileWidth);
        const q = y * width + x;
        // One pass over every candidate's GEMM score: a min-heap keeps the k best, and every candidate within
        // twice the GEMM error bound of the running k-th best is collected (the k-th best only rises, so nothing
        // that can reach the exact top-k is dropped). Near slots first: they raise the bar fastest.
        twiceBound = 2 * (2 * D * 2 ** -24 * queryNorms[q] * maxKeyNorm + 1e-6);
        filled = 0;
        bar = -Infinity;
        count = 0;
        for (let group = 0; group < copies.length; group++) {
          if (skipped[group]) continue;
          const s = copies[group][0];
          const times = multiplicity[group];
          const source = slotSources[s];
          const scores = source.scores;
          const base = row * source.rowStride + source.offset;
          if (!slots[s].restricted) {
            const extra = folded[group]?.length ?? 0;
            const bestCells = source.cells;
            const scanned = bestCells ? TOP_CANDIDATES : N;
            for (let j = 0; j < scanned; j++) {
              const value = scores[base + j];
              if (value < bar) {
                if (bestCells) break; // descending: the rest are lower still
                continue;
              }
              const cell = bestCells ? bestCells[base + j] : j;
              consider(value, group, cell, extra > 0 && inWindow(cell, x, y) ? Math.min(k, times + extra) : times);
            }
            continue;
          }
          for (let dy = -reach; dy <= reach; dy++) {
            const yy = y + dy;
            const half = halfWidth[dy + reach];
            if (yy < 0 || yy >= height || half < 0) continue;
            const xa = Math.max(0, x - half);
            const xb = Math.min(width - 1, x + half);
            const rowBase = base + (yy - source.y0) * source.regionWidth - source.x0;
            for (let xx = xa; xx <= xb; xx++) {
              const value = scores[rowBase + xx];
              if (value >= bar) consider(value, group, yy * width + xx, times);
            }
          }
        }
        // A long-term frame seen only through its best scores: complete when its last one is below the final bar
        // (every score it did not return is lower still); else the exact kernel solves this cell.
        let complete = true;
        for (let group = 0; group < copies.length && complete; group++) {
          const source = slotSources[copies[group][0]];
          if (!skipped[group] && source.cells && source.scores[row * TOP_CANDIDATES + TOP_CANDIDATES - 1] >= bar) complete = false;
        }
        if (!complete) {
          fallback.push(q);
          continue;
        }
        // Exact float32 scores (the reference's arithmetic) for the survivors of the final bar.
        let kept = 0;
        for (let i = 0; i < count; i++) {
          if (candValues[i] < bar) continue;
          const group = copies[candSlots[i]];
          const cell = candCells[i];
          const keys = distinct.get(slots[group[0]].features)!.plain;
          const exact = f32(exactDot(keys, cell * D, query, q * D, D) / temperature32);
          const extra = folded[candSlots[i]];
          const owners = extra && inWindow(cell, x, y) ? [...group, ...extra] : group;
          for (let copy = 0; copy < Math.min(k, owners.length); copy++) {
            exactValues[kept] = exact;
            exactIndices[kept++] = owners[copy] * N + cell;
            if (kept === exactValues.length) [exactValues, exactIndices] = [grow(exactValues), grow(exactIndices)];
          }
        }
        // Unique top-k (or ties only among equal labels) → the reference's selection; else the exact kernel.
        if (!selectTopK(exactValues, exactIndices, kept, k, topValues, topIndices, slots, L, N)) {
          fallback.push(q);
          continue;
        }
        accumulateLabels(topValues, topIndices, k, weights, slots, N, L, out, q);
        if (job.selection) recordSelection(job.selection, q, topValues, topIndices, k);
      }
    }
    if (fallback.length > 0) propagateCells({ ...job, out }, fallback);
    return fallback.length;
  }
}

/**
 * Picks the k best candidates by exact score and accepts them as the reference's top-k when the set is unique: no
 * candidate outside it ties with the k-th, or every candidate tied at the boundary carries the same labels; equal
 * scores inside the top-k must carry equal labels too (their order then cannot change the sum). A min-heap keeps it
 * O(n log k): flat image regions can leave thousands of exactly tied candidates.
 */
function selectTopK(
  values: Float32Array,
  indices: Int32Array,
  count: number,
  k: number,
  topValues: Float32Array,
  topIndices: Int32Array,
  slots: ContextSlot[],
  L: number,
  N: number,
): boolean {
  if (count < k) return false;
  let filled = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (filled < k) {
      // Sift up into the min-heap.
      let j = filled++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (topValues[parent] <= value) break;
        topValues[j] = topValues[parent];
        topIndices[j] = topIndices[parent];
        j = parent;
      }
      topValues[j] = value;
      topIndices[j] = indices[i];
    } else if (value > topValues[0]) {
      let j = 0;
      for (;;) {
        let child = 2 * j + 1;
        if (child >= k) break;
        if (child + 1 < k && topValues[child + 1] < topValues[child]) child++;
        if (topValues[child] >= value) break;
        topValues[j] = topValues[child];
        topIndices[j] = topIndices[child];
        j = child;
      }
      topValues[j] = value;
      topIndices[j] = indices[i];
    }
  }
  const kth = topValues[0];
  // Candidates tied with the k-th beyond those kept: all of them must carry the k-th's labels.
  let atLeast = 0;
  for (let i = 0; i < count; i++) if (values[i] >= kth) atLeast++;
  if (atLeast > k) {
    const reference = topIndices[0];
    for (let i = 0; i < count; i++) if (values[i] === kth && !sameLabels(slots, L, N, indices[i], reference)) return false;
  }
  // Descending order (insertion sort of k entries).
  for (let i = 1; i < k; i++) {
    const value = topValues[i];
    const index = topIndices[i];
    let j = i - 1;
    while (j >= 0 && topValues[j] < value) {
      topValues[j + 1] = topValues[j];
      topIndices[j + 1] = topIndices[j];
      j--;
    }
    topValues[j + 1] = value;
    topIndices[j + 1] = index;
  }
  for (let i = 1; i < k; i++) {
    if (topValues[i] === topValues[i - 1] && !sameLabels(slots, L, N, topIndices[i - 1], topIndices[i])) return false;
  }
  return true;
}

function heapify(values: Float32Array, n: number): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(values, n, i);
}

function siftDown(values: Float32Array, n: number, start: number): void {
  let i = start;
  const value = values[i];
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && values[child + 1] < values[child]) child++;
    if (values[child] >= value) break;
    values[i] = values[child];
    i = child;
  }
  values[i] = value;
}

function grow<T extends Float32Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * onnxruntime wants ordinary ArrayBuffers; features often live on SharedArrayBuffers for the worker runner. Each
 * frame is copied once and the copy kept as long as its features are (a frame serves ~21 runs as context).
 */
const plainCopies = new WeakMap<Float32Array, Float32Array>();
function plain(array: Float32Array): Float32Array {
  if (!(array.buffer instanceof SharedArrayBuffer)) return array;
  let copy = plainCopies.get(array);
  if (!copy) {
    copy = array.slice();
    plainCopies.set(array, copy);
  }
  return copy;
}

function rowNorms(data: Float32Array, rows: number, D: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < D; c++) sum += data[r * D + c] ** 2;
    norms[r] = Math.sqrt(sum);
  }
  return norms;
}

const maxNorms = new WeakMap<Float32Array, number>();
function maxRowNorm(data: Float32Array, rows: number, D: number): number {
  const known = maxNorms.get(data);
  if (known !== undefined) return known;
  let max = 0;
  const norms = rowNorms(data, rows, D);
  for (let r = 0; r < rows; r++) max = Math.max(max, norms[r]);
  maxNorms.set(data, max);
  return max;
}
