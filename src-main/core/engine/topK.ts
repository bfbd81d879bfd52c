/**
 * Top-k selection that reproduces `torch.topk(largest=True, sorted=True)` on the CPU bit for bit, ties included
 * (SPEC §2.5 "ties implementation-defined"): for dim ≥ 64·k torch runs libstdc++ `std::partial_sort` with the
 * comparator `a > b` over (value, index) pairs in index order, i.e. a heap of the first k candidates, then every
 * later candidate strictly greater than the heap top replaces it via `__pop_heap`, and finally `std::sort_heap`.
 * Which of several equal values survives depends on that heap layout, so the layout is reproduced exactly.
 *
 * The heap lives in two parallel arrays (`values`, `indices`) of length k. Callers feed candidates in index
 * order: the first k with `values[i] = …` then `makeHeap`, the rest through `offer` (or inline the
 * `value > values[0]` test and call `replaceTop`, which is what the hot loops do).
 */

/** libstdc++ `__push_heap` with comp = greater: sift `value` up from `hole` towards `top`. */
function pushHeap(values: Float32Array, indices: Int32Array, hole: number, top: number, value: number, index: number): void {
  let parent = (hole - 1) >> 1;
  while (hole > top && values[parent] > value) {
    values[hole] = values[parent];
    indices[hole] = indices[parent];
    hole = parent;
    parent = (hole - 1) >> 1;
  }
  values[hole] = value;
  indices[hole] = index;
}

/** libstdc++ `__adjust_heap` with comp = greater over the first `length` entries. */
function adjustHeap(values: Float32Array, indices: Int32Array, hole: number, length: number, value: number, index: number): void {
  const top = hole;
  let child = hole;
  while (child < ((length - 1) >> 1)) {
    child = 2 * (child + 1);
    if (values[child] > values[child - 1]) child--;
    values[hole] = values[child];
    indices[hole] = indices[child];
    hole = child;
  }
  if ((length & 1) === 0 && child === (length - 2) >> 1) {
    child = 2 * (child + 1);
    values[hole] = values[child - 1];
    indices[hole] = indices[child - 1];
    hole = child - 1;
  }
  pushHeap(values, indices, hole, top, value, index);
}

/** libstdc++ `std::make_heap` over the first `length` entries. */
export function makeHeap(values: Float32Array, indices: Int32Array, length: number): void {
  if (length < 2) return;
  for (let parent = (length - 2) >> 1; ; parent--) {
    adjustHeap(values, indices, parent, length, values[parent], indices[parent]);
    if (parent === 0) return;
  }
}

/** `__pop_heap(first, middle, candidate)`: the heap top (smallest kept value) is replaced by the candidate. */
export function replaceTop(values: Float32Array, indices: Int32Array, length: number, value: number, index: number): void {
  adjustHeap(values, indices, 0, length, value, index);
}

/** Offers one candidate after `makeHeap`: kept only when strictly greater than the smallest kept value. */
export function offer(values: Float32Array, indices: Int32Array, length: number, value: number, index: number): void {
  if (value > values[0]) adjustHeap(values, indices, 0, length, value, index);
}

/** libstdc++ `std::sort_heap` with comp = greater: leaves the k entries in descending order. */
export function sortHeap(values: Float32Array, indices: Int32Array, length: number): void {
  for (let last = length - 1; last > 0; last--) {
    const value = values[last];
    const index = indices[last];
    values[last] = values[0];
    indices[last] = indices[0];
    adjustHeap(values, indices, 0, last, value, index);
  }
}

/**
 * Top-k of a whole array as torch.topk(sorted=True) returns it. For `k·64 > n` torch uses nth_element + sort
 * instead; that path is only approximated here (stable descending order), which the engine never needs because
 * its candidate counts are far above 64·k.
 */
export function topK(data: ArrayLike<number>, k: number): { values: Float32Array; indices: Int32Array } {
  const n = data.length;
  const kept = Math.min(k, n);
  const values = new Float32Array(kept);
  const indices = new Int32Array(kept);
  if (kept === 0) return { values, indices };
  if (kept * 64 > n) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (data[b] as number) - (data[a] as number) || a - b);
    for (let i = 0; i < kept; i++) {
      indices[i] = order[i];
      values[i] = data[order[i]];
    }
    return { values, indices };
  }
  for (let i = 0; i < kept; i++) {
    values[i] = data[i];
    indices[i] = i;
  }
  makeHeap(values, indices, kept);
  for (let i = kept; i < n; i++) {
    const value = Math.fround(data[i]);
    if (value > values[0]) replaceTop(values, indices, kept, value, i);
  }
  sortHeap(values, indices, kept);
  return { values, indices };
}
