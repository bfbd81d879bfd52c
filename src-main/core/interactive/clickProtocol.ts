/**
 * The standard interactive-segmentation protocol (as in the NoC literature): each next click goes to the interior
 * point of the largest error region that lies farthest from the region's boundary (Euclidean distance transform,
 * the frame's edge counting as boundary); positive in a missed region, negative in a false one.
 */
import type { SegmentationClick } from './clickSegmentation.ts';

/** Intersection over union of two binary masks (1 when both are empty). */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    intersection += x & y;
    union += x | y;
  }
  return union === 0 ? 1 : intersection / union;
}

/** 1-D squared distance transform of f (Felzenszwalb & Huttenlocher's lower envelope of parabolas). */
function distanceTransform1d(f: Float64Array, n: number, out: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    if (f[q] === Infinity && f[v[k]] === Infinity) continue;
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    out[q] = f[v[k]] === Infinity ? Infinity : (q - v[k]) ** 2 + f[v[k]];
  }
}

/** Squared Euclidean distance of every region pixel to the nearest pixel outside it (outside the frame counts). */
export function squaredDistanceToOutside(region: Uint8Array, width: number, height: number): Float64Array {
  // Padded by one pixel of "outside" on every side, so the frame's edge is a boundary.
  const paddedWidth = width + 2;
  const paddedHeight = height + 2;
  const grid = new Float64Array(paddedWidth * paddedHeight);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) grid[(y + 1) * paddedWidth + x + 1] = region[y * width + x] ? Infinity : 0;
  }
  const size = Math.max(paddedWidth, paddedHeight);
  const f = new Float64Array(size);
  const out = new Float64Array(size);
  const v = new Int32Array(size);
  const z = new Float64Array(size + 1);
  for (let x = 0; x < paddedWidth; x++) {
    for (let y = 0; y < paddedHeight; y++) f[y] = grid[y * paddedWidth + x];
    distanceTransform1d(f, paddedHeight, out, v, z);
    for (let y = 0; y < paddedHeight; y++) grid[y * paddedWidth + x] = out[y];
  }
  for (let y = 0; y < paddedHeight; y++) {
    for (let x = 0; x < paddedWidth; x++) f[x] = grid[y * paddedWidth + x];
    distanceTransform1d(f, paddedWidth, out, v, z);
    for (let x = 0; x < paddedWidth; x++) grid[y * paddedWidth + x] = out[x];
  }
  const result = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) result[y * width + x] = grid[(y + 1) * paddedWidth + x + 1];
  }
  return result;
}

/** 4-connected components: a label per pixel (0 = not in the mask, 1… = component) and each component's size. */
function components(mask: Uint8Array, width: number): { labels: Int32Array; sizes: number[] } {
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length;
    let size = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const x = p % width;
      if (x > 0 && mask[p - 1] && !labels[p - 1]) { labels[p - 1] = label; stack.push(p - 1); }
      if (x + 1 < width && mask[p + 1] && !labels[p + 1]) { labels[p + 1] = label; stack.push(p + 1); }
      if (p >= width && mask[p - width] && !labels[p - width]) { labels[p - width] = label; stack.push(p - width); }
      if (p + width < mask.length && mask[p + width] && !labels[p + width]) { labels[p + width] = label; stack.push(p + width); }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/** The protocol's next click for a prediction against the truth, or undefined when they agree everywhere. */
export function nextClick(prediction: Uint8Array, truth: Uint8Array, width: number, height: number): SegmentationClick | undefined {
  const missed = new Uint8Array(truth.length);
  const wrong = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] && !prediction[i]) missed[i] = 1;
    else if (!truth[i] && prediction[i]) wrong[i] = 1;
  }
  let best: { size: number; positive: boolean; labels: Int32Array; label: number; mask: Uint8Array } | undefined;
  for (const [mask, positive] of [[missed, true], [wrong, false]] as const) {
    const { labels, sizes } = components(mask, width);
    for (let label = 1; label < sizes.length; label++) {
      if (!best || sizes[label] > best.size) best = { size: sizes[label], positive, labels, label, mask };
    }
  }
  if (!best) return undefined;
  const region = new Uint8Array(truth.length);
  for (let i = 0; i < region.length; i++) region[i] = best.labels[i] === best.label ? 1 : 0;
  const distance = squaredDistanceToOutside(region, width, height);
  let at = 0;
  for (let i = 1; i < distance.length; i++) if (distance[i] > distance[at]) at = i;
  return { x: at % width, y: Math.floor(at / width), positive: best.positive };
}
