/**
 * "Remove small islands": propagated masks carry specks, small regions apart from the object. An island is an
 * 8-connected region of one non-zero label value; the largest region of each value always stays (a small object is
 * not a speck of itself), every other region under `minPixels` takes the value most common on its border (0 for a
 * plain mask, the surrounding class for part labels).
 */

export interface IslandRemoval {
  /** The cleaned labels (a new array; the input is left as it was). */
  values: Uint8Array;
  /** Regions removed. */
  islands: number;
  /** Pixels that changed. */
  pixels: number;
}

/** Connected regions of equal non-zero value: `component[p]` is the region id of pixel p (−1 for 0), with sizes. */
export function labelComponents(values: Uint8Array, width: number, height: number): { component: Int32Array; sizes: number[]; valueOf: number[] } {
  if (values.length !== width * height) throw new RangeError(`labels have ${values.length} values, expected ${width}×${height}`);
  const component = new Int32Array(values.length).fill(-1);
  const sizes: number[] = [];
  const valueOf: number[] = [];
  const stack = new Int32Array(values.length);
  for (let start = 0; start < values.length; start++) {
    const value = values[start];
    if (value === 0 || component[start] !== -1) continue;
    const id = sizes.length;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    component[start] = id;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (values[q] === value && component[q] === -1) {
            component[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    sizes.push(size);
    valueOf.push(value);
  }
  return { component, sizes, valueOf };
}

/** Removes the islands under `minPixels` (see the file comment); `values` is height×width label values. */
export function removeSmallIslands(values: Uint8Array, width: number, height: number, minPixels: number): IslandRemoval {
  const { component, sizes, valueOf } = labelComponents(values, width, height);
  const largest = new Map<number, number>();
  sizes.forEach((size, id) => {
    const best = largest.get(valueOf[id]);
    if (best === undefined || size > sizes[best]) largest.set(valueOf[id], id);
  });
  const removed = sizes.map((size, id) => size < minPixels && largest.get(valueOf[id]) !== id);
  const out = Uint8Array.from(values);
  if (!removed.includes(true)) return { values: out, islands: 0, pixels: 0 };
  // Border votes per removed region: the values of 4-neighbours outside it.
  const votes = new Map<number, Map<number, number>>();
  for (let p = 0; p < values.length; p++) {
    const id = component[p];
    if (id < 0 || !removed[id]) continue;
    const x = p % width;
    for (const q of [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, p - width, p + width]) {
      if (q < 0 || q >= values.length || component[q] === id) continue;
      const tally = votes.get(id) ?? new Map<number, number>();
      tally.set(values[q], (tally.get(values[q]) ?? 0) + 1);
      votes.set(id, tally);
    }
  }
  const fill = new Map<number, number>();
  for (const [id, tally] of votes) fill.set(id, [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0]);
  let pixels = 0;
  for (let p = 0; p < values.length; p++) {
    const id = component[p];
    if (id < 0 || !removed[id]) continue;
    out[p] = fill.get(id) ?? 0;
    pixels++;
  }
  return { values: out, islands: removed.filter(Boolean).length, pixels };
}
