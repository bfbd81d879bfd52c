import type { PixelBox } from './binaryMask.ts';

/**
 * The only pixels that can be on the boundary of a mask whose set pixels lie in `box`: the box grown by one pixel
 * up and left (a pixel is a boundary pixel only if it or its east/south/south-east neighbour is set).
 */
export function boundaryRegion(box: PixelBox): PixelBox {
  return { minX: Math.max(0, box.minX - 1), minY: Math.max(0, box.minY - 1), maxX: box.maxX, maxY: box.maxY };
}

/**
 * Boundary pixels of a binary mask, exactly as davis2017-evaluation `_seg2bmap` (SPEC §1.4): a pixel is on the
 * boundary when it differs from its east, south or south-east neighbour (outside the image counts as 0), so the
 * boundary sits half a pixel toward the origin. QUIRK: the last row compares only with east, the last column only
 * with south (overriding the row rule), and the bottom-right pixel is always 0.
 *
 * @param mask H×W row-major, any non-zero value is foreground
 * @param region limit the scan to this rectangle (see boundaryRegion); pixels outside it must be non-boundary
 * @returns H×W row-major, 1 on the boundary
 */
export function boundaryMap(mask: Uint8Array, width: number, height: number, region?: PixelBox): Uint8Array {
  if (mask.length !== width * height) throw new RangeError(`mask has ${mask.length} pixels, expected ${width}×${height}`);
  const boundary = new Uint8Array(width * height);
  if (width === 0 || height === 0) return boundary;
  const lastX = width - 1;
  const lastY = height - 1;
  const x0 = region?.minX ?? 0;
  const x1 = Math.min(lastX, region?.maxX ?? lastX);
  const y0 = region?.minY ?? 0;
  const y1 = Math.min(lastY, region?.maxY ?? lastY);
  const innerEnd = Math.min(x1, lastX - 1);
  for (let y = y0; y <= y1; y++) {
    const row = y * width;
    if (y < lastY) {
      const below = row + width;
      for (let x = x0; x <= innerEnd; x++) {
        const here = mask[row + x] !== 0 ? 1 : 0;
        const east = mask[row + x + 1] !== 0 ? 1 : 0;
        const south = mask[below + x] !== 0 ? 1 : 0;
        const southEast = mask[below + x + 1] !== 0 ? 1 : 0;
        boundary[row + x] = (here ^ east) | (here ^ south) | (here ^ southEast);
      }
      // Last column: south neighbour only.
      if (x1 === lastX && (mask[row + lastX] !== 0) !== (mask[below + lastX] !== 0)) boundary[row + lastX] = 1;
    } else {
      // Last row: east neighbour only; the corner stays 0.
      for (let x = x0; x <= innerEnd; x++) {
        if ((mask[row + x] !== 0) !== (mask[row + x + 1] !== 0)) boundary[row + x] = 1;
      }
    }
  }
  return boundary;
}
