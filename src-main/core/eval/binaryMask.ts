/** Inclusive pixel rectangle. */
export interface PixelBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** A 0/1 mask with its pixel count and the bounding box of its set pixels, so later passes can skip empty space. */
export interface BinaryMask {
  /** H×W row-major, 0 or 1 */
  data: Uint8Array;
  width: number;
  height: number;
  count: number;
  /** undefined when no pixel is set */
  box: PixelBox | undefined;
}

/**
 * Bounding box of every id present, in one pass over the label map (so each object's mask can then be cut from
 * its box alone). @param ids H×W row-major @returns 256 entries, undefined for absent ids
 */
export function labelBoxes(ids: Uint8Array, width: number, height: number): Array<PixelBox | undefined> {
  if (ids.length !== width * height) throw new RangeError(`label map has ${ids.length} pixels, expected ${width}×${height}`);
  const minX = new Int32Array(256).fill(width);
  const maxX = new Int32Array(256).fill(-1);
  const minY = new Int32Array(256).fill(-1);
  const maxY = new Int32Array(256);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    // Label maps are mostly long runs of one id: update the tables once per run, not once per pixel.
    while (x < width) {
      const id = ids[row + x];
      const runStart = x;
      while (x < width && ids[row + x] === id) x++;
      if (runStart < minX[id]) minX[id] = runStart;
      if (x - 1 > maxX[id]) maxX[id] = x - 1;
      if (minY[id] < 0) minY[id] = y;
      maxY[id] = y;
    }
  }
  return Array.from({ length: 256 }, (_, id) => (maxX[id] < 0 ? undefined : { minX: minX[id], minY: minY[id], maxX: maxX[id], maxY: maxY[id] }));
}

/**
 * Pixels whose id equals `objectId`. @param ids H×W row-major label ids
 * @param searchBox where the id can occur (from labelBoxes); the whole image when omitted
 */
export function maskOfId(ids: Uint8Array, width: number, height: number, objectId: number, searchBox?: PixelBox): BinaryMask {
  if (ids.length !== width * height) throw new RangeError(`label map has ${ids.length} pixels, expected ${width}×${height}`);
  const data = new Uint8Array(width * height);
  let count = 0;
  let minX = width;
  let minY = -1;
  let maxX = -1;
  let maxY = -1;
  const x0 = searchBox?.minX ?? 0;
  const x1 = searchBox?.maxX ?? width - 1;
  const y1 = searchBox?.maxY ?? height - 1;
  for (let y = searchBox?.minY ?? 0; y <= y1; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = x0; x <= x1; x++) {
      if (ids[row + x] !== objectId) continue;
      data[row + x] = 1;
      count++;
      if (first < 0) first = x;
      last = x;
    }
    if (first < 0) continue;
    if (first < minX) minX = first;
    if (last > maxX) maxX = last;
    if (minY < 0) minY = y;
    maxY = y;
  }
  return { data, width, height, count, box: count === 0 ? undefined : { minX, minY, maxX, maxY } };
}

export function emptyMask(width: number, height: number): BinaryMask {
  return { data: new Uint8Array(width * height), width, height, count: 0, box: undefined };
}

/** Wraps any H×W bitmap (non-zero = set). */
export function maskFromBitmap(bitmap: Uint8Array, width: number, height: number): BinaryMask {
  if (bitmap.length !== width * height) throw new RangeError(`bitmap has ${bitmap.length} pixels, expected ${width}×${height}`);
  return maskOfId(Uint8Array.from(bitmap, (v) => (v !== 0 ? 1 : 0)), width, height, 1);
}
