import { FormatError } from './formatError.ts';

// COCO run-length masks, compatible with pycocotools' mask API (facts of its format, written anew):
//  - counts are run lengths over the mask in column-major (Fortran) order, alternating 0-runs and 1-runs and
//    starting with a 0-run (0 when the first pixel is set);
//  - the compressed string form stores each count (from the 4th on, as the difference to the count two before)
//    as a signed LEB-like varint: 5 payload bits per character, 0x20 = "more follows", 0x10 on the last character
//    = sign, each character offset by 48 ('0').

/** pycocotools' RLE object: `size` is [height, width]. */
export interface CocoRle {
  size: [number, number];
  counts: number[];
}

/** Encodes a row-major H×W 0/1 (non-zero = set) mask as column-major counts, as pycocotools `encode` does. */
export function encodeCocoRle(mask: Uint8Array, width: number, height: number): CocoRle {
  if (mask.length !== width * height) throw new FormatError('BAD_INPUT', `mask has ${mask.length} values for ${width}×${height}`);
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const value = mask[y * width + x] !== 0 ? 1 : 0;
      if (value !== current) {
        counts.push(run);
        run = 0;
        current = value;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/** Decodes counts to a row-major H×W 0/1 mask; the counts must cover the mask exactly. */
export function decodeCocoRle(rle: CocoRle, where = 'RLE'): Uint8Array {
  const [height, width] = rle.size;
  const total = width * height;
  const mask = new Uint8Array(total);
  let position = 0;
  rle.counts.forEach((count, i) => {
    if (!Number.isInteger(count) || count < 0) throw new FormatError('BAD_FILE', `${where}: count ${i} is ${count}, not a run length`);
    if (position + count > total) throw new FormatError('BAD_FILE', `${where}: the runs cover more than ${width}×${height} pixels`);
    if (i % 2 === 1) {
      for (let p = position; p < position + count; p++) {
        const x = Math.floor(p / height);
        mask[(p - x * height) * width + x] = 1;
      }
    }
    position += count;
  });
  if (position !== total) throw new FormatError('BAD_FILE', `${where}: the runs cover ${position} of ${total} pixels`);
  return mask;
}

/** pycocotools `rleToString`: the compressed counts string. */
export function countsToString(counts: readonly number[]): string {
  let out = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5; // arithmetic shift: negative differences keep their sign
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/** pycocotools `rleFrString`: counts from the compressed string. */
export function countsFromString(text: string, where = 'RLE'): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    let c = 0;
    while (more) {
      if (p >= text.length) throw new FormatError('BAD_FILE', `${where}: the counts string ends inside a number`);
      c = text.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new FormatError('BAD_FILE', `${where}: character ${JSON.stringify(text[p])} at ${p} is not in the counts alphabet`);
      x += (c & 0x1f) * 2 ** (5 * k); // multiplication, not <<, so 7-character numbers do not overflow 32 bits
      more = (c & 0x20) !== 0;
      p++;
      k++;
    }
    if (c & 0x10) x -= 2 ** (5 * k); // sign-extend from the last character's 0x10 bit
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/** pycocotools `area`: the number of set pixels. */
export function rleArea(counts: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i];
  return area;
}

/**
 * pycocotools `toBbox`: [x, y, width, height], computed like it from run ends only: a 1-run that wraps into a later
 * column spans the full height (it covers the last row of one column and the first row of the next).
 */
export function rleBbox(rle: CocoRle): [number, number, number, number] {
  const [height, width] = rle.size;
  const pairs = Math.floor(rle.counts.length / 2) * 2;
  if (pairs === 0) return [0, 0, 0, 0];
  let xs = width;
  let ys = height;
  let xe = 0;
  let ye = 0;
  let end = 0;
  let startColumn = 0;
  for (let j = 0; j < pairs; j++) {
    end += rle.counts[j];
    const t = end - (j % 2);
    const y = t % height;
    const x = (t - y) / height;
    if (j % 2 === 0) startColumn = x;
    else if (startColumn < x) {
      ys = 0;
      ye = height - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}
