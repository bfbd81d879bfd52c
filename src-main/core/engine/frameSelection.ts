/**
 * A frame's selection: for every query cell, the reference's top-k context candidates in order (slot·N + cell)
 * and their scores. It is the whole cost of propagating a frame, and it depends on features only: labels enter
 * afterwards, as the softmax-weighted sum (accumulateLabels). So the first frame of a run, whose context holds
 * keyframes only, can be selected before the annotator clicks Propagate and finished in milliseconds after.
 *
 * Labels do decide one thing inside the kernels: when candidates tie, equal labels make the choice irrelevant.
 * Selecting with `identityLabels` (one distinct value per labels array and cell) makes exactly the candidates that
 * are the same cell of the same labels array equal, which is true of the real labels too, so the recorded
 * selection gives the reference's sum for any labels with that array structure.
 */
import { sharedFloat32 } from './featureMap.ts';
import { accumulateLabels, type ContextSlot, type FrameSelection } from './propagationKernel.ts';

export type { FrameSelection } from './propagationKernel.ts';

/** An empty selection on shared memory (worker threads write their bands into it). */
export function newSelection(cells: number, k: number): FrameSelection {
  return { k, values: sharedFloat32(cells * k), indices: new Int32Array(new SharedArrayBuffer(cells * k * 4)) };
}

/** The N×L prediction of a selection for the slots' labels (bit-identical to running the kernel with them). */
export function applySelection(selection: FrameSelection, slotLabels: Float32Array[], cells: number, labelChannels: number): Float32Array {
  const { k } = selection;
  const slots = slotLabels.map((labels) => ({ labels }) as ContextSlot);
  const out = new Float32Array(cells * labelChannels);
  const weights = new Float32Array(k);
  for (let q = 0; q < cells; q++) {
    accumulateLabels(selection.values.subarray(q * k, (q + 1) * k), selection.indices.subarray(q * k, (q + 1) * k), k, weights, slots, cells, labelChannels, out, q);
  }
  return out;
}

/**
 * One-channel stand-ins for the slots' labels: the i-th distinct labels array becomes i·N + cell. Copies of a
 * frame sharing one labels array stay equal to each other; anything else differs.
 */
export function identityLabels(slotLabels: Float32Array[], cells: number): Float32Array[] {
  const made = new Map<Float32Array, Float32Array>();
  return slotLabels.map((labels) => {
    let identity = made.get(labels);
    if (!identity) {
      const offset = made.size * cells;
      // On shared memory from the start: the worker runner passes shared arrays as they are, so copies stay one.
      identity = sharedFloat32(cells);
      for (let cell = 0; cell < cells; cell++) identity[cell] = offset + cell;
      made.set(labels, identity);
    }
    return identity;
  });
}

/** Names a slot structure: which labels array each slot uses, by order of first appearance. */
export function labelStructure(slotLabels: Float32Array[]): number[] {
  const order = new Map<Float32Array, number>();
  return slotLabels.map((labels) => {
    if (!order.has(labels)) order.set(labels, order.size);
    return order.get(labels)!;
  });
}

/**
 * Recent selections by key (query frame + context structure), each computed at most once: a run that needs one
 * still being prepared waits for it rather than selecting the frame a second time. Least recently used go first.
 */
export class SelectionCache {
  private readonly entries = new Map<string, Promise<FrameSelection>>();
  /** Frames a run took from the cache (for tests and reports). */
  hits = 0;

  constructor(private readonly capacity = 8) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The selection under `key` if it is ready or on its way; a failed one reads as absent. */
  async take(key: string): Promise<FrameSelection | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.touch(key, entry);
    const selection = await entry.catch(() => undefined);
    if (selection) this.hits++;
    return selection;
  }

  /** The selection under `key`, computing it unless it is known or on its way. */
  compute(key: string, work: () => Promise<FrameSelection>): Promise<FrameSelection> {
    const known = this.entries.get(key);
    if (known) {
      this.touch(key, known);
      return known;
    }
    const entry = work();
    entry.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    this.touch(key, entry);
    return entry;
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(key: string, entry: Promise<FrameSelection>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
