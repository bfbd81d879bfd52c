/**
 * Boundary pixels of a binary mask, exactly as davis2017-evaluation `_seg2bmap` (SPEC §1.4): a pixel is on the
 * boundary when it differs from its east, south or south-east neighbour (outside the image counts as 0), so the
 * boundary sits half a pixel toward the origin. QUIRK: the last row compares only with east, the last column only
 * with south (overriding the row rule), and the bottom-right pixel is always 0.
 *
 * @param mask H×W row-major, any non-zero value is foreground
 * @returns H×W row-major, 1 on the boundary
 */
export function boundaryMap(mask: Uint8Array, width: number, height: number): Uint8Array {
  if (mask.length !== width * height) throw new RangeError(`mask has ${mask.length} pixels, expected ${width}×${height}`);
  const boundary = new Uint8Array(width * height);
  if (width === 0 || height === 0) return boundary;
  const lastX = width - 1;
  const lastY = height - 1;
  for (let y = 0; y < lastY; y++) {
    const row = y * width;
    const below = row + width;
    for (let x = 0; x < lastX; x++) {
      const here = mask[row + x] !== 0;
      const east = mask[row + x + 1] !== 0;
      const south = mask[below + x] !== 0;
      const southEast = mask[below + x + 1] !== 0;
      if (here !== east || here !== south || here !== southEast) boundary[row + x] = 1;
    }
    // Last column: south neighbour only.
    if ((mask[row + lastX] !== 0) !== (mask[below + lastX] !== 0)) boundary[row + lastX] = 1;
  }
  // Last row: east neighbour only; the corner stays 0.
  const lastRow = lastY * width;
  for (let x = 0; x < lastX; x++) {
    if ((mask[lastRow + x] !== 0) !== (mask[lastRow + x + 1] !== 0)) boundary[lastRow + x] = 1;
  }
  return boundary;
}
