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

/** Pixels whose id equals `objectId`. @param ids H×W row-major label ids */
export function maskOfId(ids: Uint8Array, width: number, height: number, objectId: number): BinaryMask {
  if (ids.length !== width * height) throw new RangeError(`label map has ${ids.length} pixels, expected ${width}×${height}`);
  const data = new Uint8Array(width * height);
  let count = 0;
  let minX = width;
  let minY = -1;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
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

/** Wraps any H×W bitmap (non-zero = set). */
export function maskFromBitmap(bitmap: Uint8Array, width: number, height: number): BinaryMask {
  if (bitmap.length !== width * height) throw new RangeError(`bitmap has ${bitmap.length} pixels, expected ${width}×${height}`);
  return maskOfId(Uint8Array.from(bitmap, (v) => (v !== 0 ? 1 : 0)), width, height, 1);
}
