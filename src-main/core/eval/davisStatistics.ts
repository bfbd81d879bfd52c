/** Per-object summary of per-frame J or F values (`utils.db_statistics`, SPEC §1.5). */
export interface DavisStatistics {
  /** nanmean of the values */
  mean: number;
  /** fraction of frames with value strictly above 0.5 (NaN counts as not above) */
  recall: number;
  /** nanmean of the first quarter minus nanmean of the last quarter */
  decay: number;
}

function nanMean(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    if (Number.isNaN(values[i])) continue;
    sum += values[i];
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * Start indices of the 5 decay bin edges: round(linspace(1, n, 5) + 1e-10) − 1 cast to uint8.
 * QUIRK: the +1e-10 makes numpy's half-to-even rounding round half up, and the uint8 cast wraps indices above 255
 * (sequences longer than 256 frames get scrambled bins in the reference too).
 */
export function decayBinEdges(frameCount: number): number[] {
  const edgeCount = 5;
  const step = (frameCount - 1) / (edgeCount - 1);
  const edges: number[] = [];
  for (let i = 0; i < edgeCount; i++) {
    // numpy linspace: start + i·step, with the endpoint set exactly.
    const value = i === edgeCount - 1 ? frameCount : 1 + i * step;
    const rounded = Math.round(value + 1e-10) - 1;
    edges.push(((rounded % 256) + 256) % 256);
  }
  return edges;
}

export function davisStatistics(values: ArrayLike<number>): DavisStatistics {
  const mean = nanMean(values);
  let above = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > 0.5) above++;
  const recall = values.length === 0 ? Number.NaN : above / values.length;
  const edges = decayBinEdges(values.length);
  // QUIRK: bins are values[edges[i] : edges[i+1] + 1] — inclusive end, so neighbouring bins share a frame.
  const binMean = (bin: number) => nanMean(values, edges[bin], Math.min(values.length, edges[bin + 1] + 1));
  const decay = binMean(0) - binMean(3);
  return { mean, recall, decay };
}
