/**
 * Screening arithmetic of the propagation kernel: the exact float32 score of the reference and the cheap upper
 * bounds (principal-direction projections, partial dots) that let the kernel skip candidates provably outside the
 * current top-k.
 */

const f32 = Math.fround;

/** Cells per screening block: a block is skipped whole when its bound cannot reach the heap. */
export const BLOCK = 8;

/** Double dot product over channels [from, to). */
export function partialDot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, from: number, to: number): number {
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
export function tailNorms(features: Float32Array, cells: number, channels: number, from: number): Float64Array {
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
export function exactDot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, channels: number): number {
  let acc = 0;
  for (let c = 0; c < channels; c++) acc = f32(acc + a[aOffset + c] * b[bOffset + c]);
  return acc;
}

/** Per block of BLOCK cells of one row: (min, max) of each projection, then the max remainder norm. */
export function projectionBlocks(projections: Float64Array, width: number, height: number, R: number): Float64Array {
  const blocksPerRow = Math.ceil(width / BLOCK);
  const blockStride = 2 * R + 1;
  const out = new Float64Array(height * blocksPerRow * blockStride);
  for (let y = 0; y < height; y++) {
    for (let b = 0; b < blocksPerRow; b++) {
      const o = (y * blocksPerRow + b) * blockStride;
      for (let r = 0; r < R; r++) {
        out[o + 2 * r] = Infinity;
        out[o + 2 * r + 1] = -Infinity;
      }
      for (let x = b * BLOCK; x < Math.min(width, (b + 1) * BLOCK); x++) {
        const t = (y * width + x) * (R + 1);
        for (let r = 0; r < R; r++) {
          out[o + 2 * r] = Math.min(out[o + 2 * r], projections[t + r]);
          out[o + 2 * r + 1] = Math.max(out[o + 2 * r + 1], projections[t + r]);
        }
        out[o + 2 * R] = Math.max(out[o + 2 * R], projections[t + R]);
      }
    }
  }
  return out;
}

/**
 * An orthonormal basis of the `count` strongest directions of the query cells (uncentred second moments, block power
 * iteration). Any orthonormal basis makes q·k ≤ Σᵣ(q·bᵣ)(k·bᵣ) + ‖q⊥‖‖k⊥‖ valid; strong directions make it tight.
 */
export function principalBasis(query: Float32Array, cells: number, channels: number, count: number): Float64Array[] {
  const moments = new Float64Array(channels * channels);
  const step = Math.max(1, Math.floor(cells / 2048));
  for (let m = 0; m < cells; m += step) {
    const o = m * channels;
    for (let i = 0; i < channels; i++) {
      const v = query[o + i];
      if (v === 0) continue;
      for (let j = 0; j < channels; j++) moments[i * channels + j] += v * query[o + j];
    }
  }
  let basis = Array.from({ length: Math.min(count, channels) }, (_, r) => {
    const v = new Float64Array(channels);
    for (let i = 0; i < channels; i++) v[i] = Math.sin(1 + r * 7.31 + i * 3.17);
    return v;
  });
  for (let iteration = 0; iteration < 12; iteration++) {
    basis = basis.map((v) => {
      const out = new Float64Array(channels);
      for (let i = 0; i < channels; i++) {
        let sum = 0;
        for (let j = 0; j < channels; j++) sum += moments[i * channels + j] * v[j];
        out[i] = sum;
      }
      return out;
    });
    orthonormalize(basis);
  }
  return basis;
}

function orthonormalize(vectors: Float64Array[]): void {
  for (let r = 0; r < vectors.length; r++) {
    const v = vectors[r];
    for (let p = 0; p < r; p++) {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * vectors[p][i];
      for (let i = 0; i < v.length; i++) v[i] -= dot * vectors[p][i];
    }
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < v.length; i++) v[i] /= norm;
  }
}

/** Per cell: R projections on the basis, then the (slightly inflated) norm of the remainder. Stride R+1. */
export function projectionTable(features: Float32Array, cells: number, channels: number, basis: Float64Array[]): Float64Array {
  const R = basis.length;
  const out = new Float64Array(cells * (R + 1));
  for (let m = 0; m < cells; m++) {
    const o = m * channels;
    let norm = 0;
    for (let c = 0; c < channels; c++) norm += features[o + c] ** 2;
    let projected = 0;
    for (let r = 0; r < R; r++) {
      const b = basis[r];
      let dot = 0;
      for (let c = 0; c < channels; c++) dot += features[o + c] * b[c];
      out[m * (R + 1) + r] = dot;
      projected += dot * dot;
    }
    out[m * (R + 1) + R] = Math.sqrt(Math.max(0, norm - projected) + 1e-12 * norm) * (1 + 1e-9);
  }
  return out;
}

const twinTables = new WeakMap<Float32Array, Int32Array>();

/**
 * For each of the N cells, the first cell whose D features are bit-identical to it (itself when none is): equal
 * vectors score equally against any query, so the exact kernel scores each group once. Kept per features array.
 */
export function twinCells(features: Float32Array, N: number, D: number): Int32Array {
  const known = twinTables.get(features);
  if (known && known.length === N) return known;
  const bits = new Uint32Array(features.buffer, features.byteOffset, N * D);
  const twins = new Int32Array(N);
  const firstByHash = new Map<number, number[]>();
  for (let m = 0; m < N; m++) {
    let hash = 0x811c9dc5;
    for (let c = m * D, end = c + D; c < end; c++) hash = Math.imul(hash ^ bits[c], 0x01000193);
    const group = firstByHash.get(hash);
    let twin = m;
    if (group) {
      for (const other of group) {
        let same = true;
        for (let c = 0; c < D && same; c++) same = bits[other * D + c] === bits[m * D + c];
        if (same) {
          twin = other;
          break;
        }
      }
      if (twin === m) group.push(m);
    } else {
      firstByHash.set(hash, [m]);
    }
    twins[m] = twin;
  }
  twinTables.set(features, twins);
  return twins;
}
