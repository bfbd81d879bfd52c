/**
 * Over 400 lines: the feature model, the colour model and the band graph cut are one energy, tuned together.
 * Click-to-segment on one frame (issue 19): positive/negative clicks and an optional box give a per-cell object
 * logit from the stride-8 features (clicked cells, with a distance penalty, and k-means prototypes of the current
 * estimate, two EM rounds), plus half a colour-histogram log-ratio; a graph cut on colour edges refines it at full
 * resolution in a band around the uncertain pixels, and far from the clicks the previous mask holds. With `features`
 * left out the logit is the colour histograms' alone (the colour-only graph-cut baseline of `bench clicks`).
 * Masks are height×width uint8 (1 = object), row-major.
 */
import { bilinearResize } from '../engine/bilinearResize.ts';
import type { FeatureMap, RgbFrame } from '../engine/featureMap.ts';
import { MaxFlowGraph } from './maxFlow.ts';

export interface SegmentationClick {
  /** Pixel column and row in the frame. */
  x: number;
  y: number;
  /** true = object, false = background. */
  positive: boolean;
}

/** A box around the object, in pixels (inclusive-exclusive). */
export interface SegmentationBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ClickSegmentationInput {
  frame: RgbFrame;
  /** L2-normalised stride-8 features of the frame (C×h×w); without them the colour-only model is used. */
  features?: FeatureMap;
  clicks: SegmentationClick[];
  box?: SegmentationBox;
  /** The object's mask before these clicks (a propagated frame, or the last click's result): kept away from clicks. */
  previousMask?: Uint8Array;
}

export interface ClickSegmentationSettings {
  /** Softmax temperature of prototype similarities. */
  temperature: number;
  /** Weight of the colour-edge term of the graph cut. */
  smoothness: number;
  /** Radius (px) around a click whose pixels are fixed to its label. */
  clickRadiusPx: number;
  /** Distance over which a click's influence on the previous mask fades, as a share of the frame's larger side. */
  influenceRadius: number;
  /** Half-width (px) of the band around uncertain pixels that the graph cut decides. */
  bandPx: number;
  /** Weight of the colour-histogram log-ratio added to the feature logits (0 = features alone). */
  colourWeight: number;
}

export const DEFAULT_CLICK_SETTINGS: ClickSegmentationSettings = {
  temperature: 0.05,
  smoothness: 2,
  clickRadiusPx: 4,
  influenceRadius: 0.1,
  bandPx: 12,
  colourWeight: 0.5,
};

const HARD = 1e6;
/** Cells at least this similar (cosine) to a clicked cell are never summarised into the other side's clusters. */
const LOOK_ALIKE_COSINE = 0.9;
const CLICK_DISTANCE_PENALTY = 0.3;

function clampLogit(value: number): number {
  return value > 12 ? 12 : value < -12 ? -12 : value;
}

/** Cell-major copy of a C×h×w map (per-cell vectors contiguous), cached per map: clicks on one frame reuse it. */
const cellMajorCache = new WeakMap<FeatureMap, Float32Array>();
function cellMajor(features: FeatureMap): Float32Array {
  let out = cellMajorCache.get(features);
  if (!out) {
    const { channels, width, height, data } = features;
    const cells = width * height;
    out = new Float32Array(data.length);
    for (let c = 0; c < channels; c++) for (let i = 0; i < cells; i++) out[i * channels + c] = data[c * cells + i];
    cellMajorCache.set(features, out);
  }
  return out;
}

function dot(vectors: Float32Array, a: number, prototypes: Float32Array, b: number, channels: number): number {
  let sum = 0;
  const i = a * channels;
  const j = b * channels;
  for (let c = 0; c < channels; c++) sum += vectors[i + c] * prototypes[j + c];
  return sum;
}

/**
 * k prototype vectors of the given cells by k-means (farthest-point start, a few rounds, cosine assignment);
 * fewer when there are fewer cells. Returns k×C, row-major.
 */
export function clusterPrototypes(vectors: Float32Array, channels: number, allCells: number[], k: number, rounds = 4): Float32Array {
  // At most ~1500 cells (an even subsample): the clusters summarise; they need not see every cell.
  const step = Math.max(1, Math.ceil(allCells.length / 1500));
  const cells = step === 1 ? allCells : allCells.filter((_, i) => i % step === 0);
  const count = Math.min(k, cells.length);
  const centres = new Float32Array(count * channels);
  if (count === 0) return centres;
  const nearest = new Float32Array(cells.length).fill(Infinity);
  let pick = cells[0];
  for (let centre = 0; centre < count; centre++) {
    centres.set(vectors.subarray(pick * channels, (pick + 1) * channels), centre * channels);
    let farthest = -1;
    for (let i = 0; i < cells.length; i++) {
      const distance = 1 - dot(vectors, cells[i], centres, centre, channels);
      if (distance < nearest[i]) nearest[i] = distance;
      if (farthest < 0 || nearest[i] > nearest[farthest]) farthest = i;
    }
    pick = cells[farthest];
  }
  const assignment = new Int32Array(cells.length);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cells.length; i++) {
      let best = 0;
      let bestDot = -Infinity;
      for (let centre = 0; centre < count; centre++) {
        const d = dot(vectors, cells[i], centres, centre, channels);
        if (d > bestDot) { bestDot = d; best = centre; }
      }
      assignment[i] = best;
    }
    const sums = new Float64Array(count * channels);
    for (let i = 0; i < cells.length; i++) {
      const offset = assignment[i] * channels;
      const source = cells[i] * channels;
      for (let c = 0; c < channels; c++) sums[offset + c] += vectors[source + c];
    }
    for (let centre = 0; centre < count; centre++) {
      let norm = 0;
      for (let c = 0; c < channels; c++) norm += sums[centre * channels + c] ** 2;
      norm = Math.sqrt(norm);
      if (norm === 0) continue;
      for (let c = 0; c < channels; c++) centres[centre * channels + c] = sums[centre * channels + c] / norm;
    }
  }
  return centres;
}

/** Per-cell max cosine to a set of prototype rows. */
function bestSimilarity(vectors: Float32Array, channels: number, cells: number, prototypes: Float32Array[]): Float32Array {
  const out = new Float32Array(cells).fill(-1);
  for (const set of prototypes) {
    const count = set.length / channels;
    for (let cell = 0; cell < cells; cell++) {
      let top = out[cell];
      for (let p = 0; p < count; p++) {
        const d = dot(vectors, cell, set, p, channels);
        if (d > top) top = d;
      }
      out[cell] = top;
    }
  }
  return out;
}

/**
 * Per-cell max over clicked cells of cos − CLICK_DISTANCE_PENALTY·min(1, distance / half the grid's diagonal): a
 * click speaks most for what is near it, so a background click far away does not take the object's look-alike parts.
 */
function clickSimilarity(vectors: Float32Array, channels: number, width: number, height: number, clicked: number[]): Float32Array {
  const out = new Float32Array(width * height).fill(-2);
  const reach = Math.hypot(width, height) / 2;
  for (const click of clicked) {
    const cx = click % width;
    const cy = Math.floor(click / width);
    for (let cell = 0; cell < out.length; cell++) {
      const distance = Math.hypot((cell % width) - cx, Math.floor(cell / width) - cy);
      const value = dot(vectors, cell, vectors, click, channels) - CLICK_DISTANCE_PENALTY * Math.min(1, distance / reach);
      if (value > out[cell]) out[cell] = value;
    }
  }
  return out;
}

/** Cells of a pixel mask: those whose centre pixel is set. */
function maskCells(mask: Uint8Array, frameWidth: number, frameHeight: number, width: number, height: number, value: number): number[] {
  const cells: number[] = [];
  for (let cy = 0; cy < height; cy++) {
    const py = Math.min(frameHeight - 1, Math.floor(((cy + 0.5) * frameHeight) / height));
    for (let cx = 0; cx < width; cx++) {
      const px = Math.min(frameWidth - 1, Math.floor(((cx + 0.5) * frameWidth) / width));
      if ((mask[py * frameWidth + px] ? 1 : 0) === value) cells.push(cy * width + cx);
    }
  }
  return cells;
}

/**
 * Per-cell object logit from feature prototypes: (max cos to object prototypes − max cos to background ones) / τ.
 * Object prototypes are the positive clicks' cells and clusters of the cells the current estimate holds; background
 * ones the negative clicks' cells and clusters of the rest (at first: the frame's border or outside the box). The
 * estimate is re-derived from the logits twice (an EM in feature space, as GrabCut does in colour).
 */
export function featureLogits(features: FeatureMap, frameWidth: number, frameHeight: number, input: ClickSegmentationInput, temperature: number): Float32Array {
  const { channels, width, height } = features;
  const cells = width * height;
  const vectors = cellMajor(features);
  const cellOf = (x: number, y: number) => Math.min(height - 1, Math.floor((y * height) / frameHeight)) * width + Math.min(width - 1, Math.floor((x * width) / frameWidth));
  const rows = (list: number[]) => {
    const out = new Float32Array(list.length * channels);
    list.forEach((cell, i) => out.set(vectors.subarray(cell * channels, (cell + 1) * channels), i * channels));
    return out;
  };
  const positiveCells = input.clicks.filter((click) => click.positive).map((click) => cellOf(click.x, click.y));
  const negativeCells = input.clicks.filter((click) => !click.positive).map((click) => cellOf(click.x, click.y));
  const insideBox = (cell: number) => {
    if (!input.box) return true;
    const px = (((cell % width) + 0.5) * frameWidth) / width;
    const py = ((Math.floor(cell / width) + 0.5) * frameHeight) / height;
    return px >= input.box.x0 && px < input.box.x1 && py >= input.box.y0 && py < input.box.y1;
  };
  // A box without clicks: its centre stands for the object (everywhere in the box alike, so no distance penalty).
  const boxCentre = input.box && positiveCells.length === 0 ? [cellOf((input.box.x0 + input.box.x1) / 2, (input.box.y0 + input.box.y1) / 2)] : [];
  if (boxCentre.length) positiveCells.push(...boxCentre);
  let objectCells: number[];
  let backgroundCells: number[];
  if (input.previousMask) {
    objectCells = maskCells(input.previousMask, frameWidth, frameHeight, width, height, 1);
    backgroundCells = maskCells(input.previousMask, frameWidth, frameHeight, width, height, 0);
  } else {
    objectCells = [];
    backgroundCells = [];
    for (let cell = 0; cell < cells; cell++) {
      const x = cell % width;
      const y = Math.floor(cell / width);
      const border = x === 0 || y === 0 || x === width - 1 || y === height - 1;
      if (input.box ? !insideBox(cell) : border) backgroundCells.push(cell);
    }
  }
  // Cells near a click are the user's word: never summarised into the other side's clusters.
  const nearClick = new Int8Array(cells);
  const reach = Math.max(1, Math.round(width / 40));
  for (const click of input.clicks) {
    const cx = Math.min(width - 1, Math.floor((click.x * width) / frameWidth));
    const cy = Math.min(height - 1, Math.floor((click.y * height) / frameHeight));
    for (let y = Math.max(0, cy - reach); y <= Math.min(height - 1, cy + reach); y++) {
      for (let x = Math.max(0, cx - reach); x <= Math.min(width - 1, cx + reach); x++) nearClick[y * width + x] = click.positive ? 1 : -1;
    }
  }
  const clickedObject = rows(positiveCells);
  const clickedBackground = rows(negativeCells);
  // Nor are cells that look like a clicked cell of the other side (a look-alike elsewhere must not cancel the click).
  const lookAlike = (prototypes: Float32Array): Uint8Array => {
    const similarity = bestSimilarity(vectors, channels, cells, [prototypes]);
    return Uint8Array.from(similarity, (value) => (value > LOOK_ALIKE_COSINE ? 1 : 0));
  };
  const likeObject = lookAlike(clickedObject);
  const likeBackground = lookAlike(clickedBackground);
  // A cell closer in features to a background click than to every object click is never summarised as object (and
  // the other way round): otherwise a false region, once in the estimate, feeds its own clusters and grows.
  const towardObject = bestSimilarity(vectors, channels, cells, [clickedObject]);
  const towardBackground = bestSimilarity(vectors, channels, cells, [clickedBackground]);
  const bothKinds = positiveCells.length > 0 && negativeCells.length > 0;
  const objectSide = (cell: number) => nearClick[cell] >= 0 && !likeBackground[cell] && (!bothKinds || towardObject[cell] >= towardBackground[cell]);
  const backgroundSide = (cell: number) => nearClick[cell] <= 0 && !likeObject[cell] && (!bothKinds || towardBackground[cell] >= towardObject[cell]);
  objectCells = objectCells.filter(objectSide);
  backgroundCells = backgroundCells.filter(backgroundSide);
  let logits = new Float32Array(cells);
  for (let round = 0; round < 2; round++) {
    const objectPrototypes = clusterPrototypes(vectors, channels, objectCells, 4);
    const backgroundPrototypes = clusterPrototypes(vectors, channels, backgroundCells, 8);
    const object = bestSimilarity(vectors, channels, cells, [objectPrototypes]);
    const background = bestSimilarity(vectors, channels, cells, [backgroundPrototypes]);
    const objectClicks = boxCentre.length ? bestSimilarity(vectors, channels, cells, [clickedObject]) : clickSimilarity(vectors, channels, width, height, positiveCells);
    const backgroundClicks = clickSimilarity(vectors, channels, width, height, negativeCells);
    for (let cell = 0; cell < cells; cell++) {
      object[cell] = Math.max(object[cell], objectClicks[cell]);
      background[cell] = Math.max(background[cell], backgroundClicks[cell]);
    }
    logits = new Float32Array(cells);
    for (let cell = 0; cell < cells; cell++) logits[cell] = insideBox(cell) ? clampLogit((object[cell] - background[cell]) / temperature) : -12;
    const estimate = new Uint8Array(cells);
    for (let cell = 0; cell < cells; cell++) estimate[cell] = logits[cell] > 0 ? 1 : 0;
    // Without a positive click (a box, or only negative clicks) every part may be the object.
    const kept = positiveCells.length === 0 ? estimate : keepClickedComponents(estimate, width, height, positiveCells.map((cell) => ({ x: cell % width, y: Math.floor(cell / width), positive: true })));
    objectCells = [];
    backgroundCells = [];
    for (let cell = 0; cell < cells; cell++) {
      if (kept[cell] && objectSide(cell)) objectCells.push(cell);
      else if (!kept[cell] && backgroundSide(cell)) backgroundCells.push(cell);
    }
    for (let cell = 0; cell < cells; cell++) if (estimate[cell] && !kept[cell]) logits[cell] = Math.min(logits[cell], -1);
  }
  return logits;
}

/** Colour-only object logit per pixel: 16³-bin histograms of object and background samples (Laplace-smoothed). */
export function colourLogits(frame: RgbFrame, input: ClickSegmentationInput, radiusPx: number): Float32Array {
  const { width, height, data } = frame;
  const bins = 16 * 16 * 16;
  const objectHistogram = new Float64Array(bins).fill(0.5);
  const backgroundHistogram = new Float64Array(bins).fill(0.5);
  const binOf = (pixel: number) => ((data[pixel * 3] >> 4) << 8) | ((data[pixel * 3 + 1] >> 4) << 4) | (data[pixel * 3 + 2] >> 4);
  const disc = (histogram: Float64Array, cx: number, cy: number, radius: number) => {
    for (let y = Math.max(0, Math.round(cy - radius)); y <= Math.min(height - 1, Math.round(cy + radius)); y++) {
      for (let x = Math.max(0, Math.round(cx - radius)); x <= Math.min(width - 1, Math.round(cx + radius)); x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) histogram[binOf(y * width + x)] += 1;
      }
    }
  };
  for (const click of input.clicks) disc(click.positive ? objectHistogram : backgroundHistogram, click.x, click.y, radiusPx);
  const border = Math.max(2, Math.round(Math.min(width, height) * 0.02));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      if (input.box) {
        const inside = x >= input.box.x0 && x < input.box.x1 && y >= input.box.y0 && y < input.box.y1;
        (inside ? objectHistogram : backgroundHistogram)[binOf(pixel)] += inside ? 0.2 : 1;
      } else if (x < border || y < border || x >= width - border || y >= height - border) {
        backgroundHistogram[binOf(pixel)] += 1;
      }
      if (input.previousMask) (input.previousMask[pixel] ? objectHistogram : backgroundHistogram)[binOf(pixel)] += 0.2;
    }
  }
  let objectTotal = 0;
  let backgroundTotal = 0;
  for (let bin = 0; bin < bins; bin++) {
    objectTotal += objectHistogram[bin];
    backgroundTotal += backgroundHistogram[bin];
  }
  const logits = new Float32Array(width * height);
  for (let pixel = 0; pixel < logits.length; pixel++) {
    const bin = binOf(pixel);
    logits[pixel] = clampLogit(Math.log(objectHistogram[bin] / objectTotal) - Math.log(backgroundHistogram[bin] / backgroundTotal));
  }
  return logits;
}

/** Upsamples a cell-grid map to the frame (bilinear, cell centres aligned). */
function upsample(cells: Float32Array, cellWidth: number, cellHeight: number, width: number, height: number): Float32Array {
  return bilinearResize({ width: cellWidth, height: cellHeight, channels: 1, data: cells }, width, height).data;
}

/** Squared distance of every pixel to the nearest click (brute force over the few clicks). */
function clickDistanceSquared(width: number, height: number, clicks: SegmentationClick[]): Float32Array {
  const out = new Float32Array(width * height).fill(Infinity);
  for (const click of clicks) {
    for (let y = 0; y < height; y++) {
      const dy = (y - click.y) ** 2;
      for (let x = 0; x < width; x++) {
        const d = dy + (x - click.x) ** 2;
        const pixel = y * width + x;
        if (d < out[pixel]) out[pixel] = d;
      }
    }
  }
  return out;
}

/** Mixes the previous mask in: it holds far from the clicks and gives way to the new evidence near them. */
function blendPreviousMask(logits: Float32Array, previousMask: Uint8Array, width: number, height: number, clicks: SegmentationClick[], radiusPx: number): void {
  const distance = clickDistanceSquared(width, height, clicks);
  const scale = 1 / (2 * radiusPx * radiusPx);
  for (let pixel = 0; pixel < logits.length; pixel++) {
    const local = Math.exp(-distance[pixel] * scale);
    const prior = previousMask[pixel] ? 4 : -4;
    logits[pixel] = local * logits[pixel] + (1 - local) * prior;
  }
}

/**
 * Pixels the graph cut decides: within `bandPx` of a pixel whose logit is uncertain (|l| < 4) or of a sign change.
 * Every other pixel keeps the sign of its logit. Returns the band as 1/0 per pixel.
 */
export function uncertainBand(logits: Float32Array, width: number, height: number, bandPx: number): Uint8Array {
  const seed = new Uint8Array(logits.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      const l = logits[pixel];
      if (Math.abs(l) < 1 || (x + 1 < width && l > 0 !== logits[pixel + 1] > 0) || (y + 1 < height && l > 0 !== logits[pixel + width] > 0)) seed[pixel] = 1;
    }
  }
  // Square dilation by bandPx, separably (rows then columns) with running counts.
  const rows = new Uint8Array(logits.length);
  for (let y = 0; y < height; y++) {
    let count = 0;
    const row = y * width;
    for (let x = 0; x < Math.min(bandPx, width); x++) count += seed[row + x];
    for (let x = 0; x < width; x++) {
      if (x + bandPx < width) count += seed[row + x + bandPx];
      if (x - bandPx - 1 >= 0) count -= seed[row + x - bandPx - 1];
      rows[row + x] = count > 0 ? 1 : 0;
    }
  }
  const band = new Uint8Array(logits.length);
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(bandPx, height); y++) count += rows[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + bandPx < height) count += rows[(y + bandPx) * width + x];
      if (y - bandPx - 1 >= 0) count -= rows[(y - bandPx - 1) * width + x];
      band[y * width + x] = count > 0 ? 1 : 0;
    }
  }
  return band;
}

/**
 * Minimum of unary (−log p) + smoothness·exp(−β‖ΔI‖²) over 4-neighbours, with click discs fixed; solved on the
 * uncertain band only (the rest keeps its logit's sign and enters as fixed neighbours).
 */
export function graphCut(frame: RgbFrame, logits: Float32Array, clicks: SegmentationClick[], settings: ClickSegmentationSettings): Uint8Array {
  const { width, height, data } = frame;
  const pixels = width * height;
  const radius = settings.clickRadiusPx;
  const hard = new Int8Array(pixels);
  for (const click of clicks) {
    for (let y = Math.max(0, Math.round(click.y - radius)); y <= Math.min(height - 1, Math.round(click.y + radius)); y++) {
      for (let x = Math.max(0, Math.round(click.x - radius)); x <= Math.min(width - 1, Math.round(click.x + radius)); x++) {
        if ((x - click.x) ** 2 + (y - click.y) ** 2 <= radius * radius) hard[y * width + x] = click.positive ? 1 : -1;
      }
    }
  }
  const band = uncertainBand(logits, width, height, settings.bandPx);
  const mask = new Uint8Array(pixels);
  const node = new Int32Array(pixels).fill(-1);
  let nodes = 0;
  for (let pixel = 0; pixel < pixels; pixel++) {
    if (band[pixel] || hard[pixel]) node[pixel] = nodes++;
    else mask[pixel] = logits[pixel] > 0 ? 1 : 0;
  }
  if (nodes === 0) return mask;
  const difference = (a: number, b: number) => {
    const dr = data[a * 3] - data[b * 3];
    const dg = data[a * 3 + 1] - data[b * 3 + 1];
    const db = data[a * 3 + 2] - data[b * 3 + 2];
    return dr * dr + dg * dg + db * db;
  };
  // β = 1 / (2·mean squared colour difference of neighbours in the band), as GrabCut.
  let sum = 0;
  let count = 0;
  for (let pixel = 0; pixel < pixels; pixel++) {
    if (node[pixel] < 0) continue;
    if ((pixel % width) + 1 < width) { sum += difference(pixel, pixel + 1); count++; }
    if (pixel + width < pixels) { sum += difference(pixel, pixel + width); count++; }
  }
  const beta = count && sum > 0 ? count / (2 * sum) : 0;
  const graph = new MaxFlowGraph(nodes, nodes * 2);
  const lambda = settings.smoothness;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const i = node[pixel];
    if (i < 0) continue;
    const logit = logits[pixel];
    // −log σ(l) and −log(1−σ(l)), stable: softplus(−l), softplus(l).
    const objectCost = logit > 0 ? Math.log1p(Math.exp(-logit)) : -logit + Math.log1p(Math.exp(logit));
    graph.addTerminalWeights(i, objectCost + logit, objectCost);
    if (hard[pixel]) graph.addTerminalWeights(i, hard[pixel] > 0 ? HARD : 0, hard[pixel] > 0 ? 0 : HARD);
    const x = pixel % width;
    const neighbours = [x + 1 < width ? pixel + 1 : -1, pixel + width < pixels ? pixel + width : -1, x > 0 ? pixel - 1 : -1, pixel >= width ? pixel - width : -1];
    for (let k = 0; k < 4; k++) {
      const other = neighbours[k];
      if (other < 0) continue;
      const w = lambda * Math.exp(-beta * difference(pixel, other));
      const j = node[other];
      if (j >= 0) {
        if (k < 2) graph.addEdge(i, j, w, w);
      } else if (mask[other]) {
        graph.addTerminalWeights(i, w, 0);
      } else {
        graph.addTerminalWeights(i, 0, w);
      }
    }
  }
  graph.solve();
  for (let pixel = 0; pixel < pixels; pixel++) if (node[pixel] >= 0) mask[pixel] = graph.isSource(node[pixel]) ? 1 : 0;
  return mask;
}

/** Keeps the mask's 4-connected parts that hold a positive click or overlap the previous mask. */
export function keepClickedComponents(mask: Uint8Array, width: number, height: number, clicks: SegmentationClick[], previousMask?: Uint8Array): Uint8Array {
  const keep = new Uint8Array(mask.length);
  const stack: number[] = [];
  const seed = (pixel: number) => {
    if (!mask[pixel] || keep[pixel]) return;
    keep[pixel] = 1;
    stack.push(pixel);
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width;
      const neighbours = [x > 0 ? p - 1 : -1, x + 1 < width ? p + 1 : -1, p >= width ? p - width : -1, p + width < mask.length ? p + width : -1];
      for (const n of neighbours) {
        if (n >= 0 && mask[n] && !keep[n]) {
          keep[n] = 1;
          stack.push(n);
        }
      }
    }
  };
  for (const click of clicks) if (click.positive) seed(Math.round(click.y) * width + Math.round(click.x));
  if (previousMask) for (let pixel = 0; pixel < mask.length; pixel++) if (previousMask[pixel]) seed(pixel);
  return keep;
}

/** The object's mask after the clicks (see the file comment). */
export function segmentByClicks(input: ClickSegmentationInput, settings: ClickSegmentationSettings = DEFAULT_CLICK_SETTINGS): Uint8Array {
  const { frame } = input;
  const { width, height } = frame;
  let logits: Float32Array;
  if (input.features) {
    const cells = featureLogits(input.features, width, height, input, settings.temperature);
    logits = upsample(cells, input.features.width, input.features.height, width, height);
    if (settings.colourWeight > 0) {
      const colour = colourLogits(frame, input, settings.clickRadiusPx * 2);
      for (let pixel = 0; pixel < logits.length; pixel++) logits[pixel] = clampLogit(logits[pixel] + settings.colourWeight * colour[pixel]);
    }
  } else {
    logits = colourLogits(frame, input, settings.clickRadiusPx * 2);
  }
  if (input.previousMask && input.clicks.length) blendPreviousMask(logits, input.previousMask, width, height, input.clicks, settings.influenceRadius * Math.max(width, height));
  if (input.box) {
    const { x0, y0, x1, y1 } = input.box;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if (x < x0 || x >= x1 || y < y0 || y >= y1) logits[y * width + x] = -12;
    }
  }
  const mask = graphCut(frame, logits, input.clicks, settings);
  if (!input.previousMask && !input.clicks.some((click) => click.positive)) return mask;
  return keepClickedComponents(mask, width, height, input.clicks, input.previousMask);
}
