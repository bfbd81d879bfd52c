import type { PixelBox } from './binaryMask.ts';

/**
 * Half-widths of the rows of skimage `disk(radius)`: row dy (−r..r) covers dx with dx² + dy² ≤ r² (SPEC §1.4).
 * @returns length 2r+1, entry r+dy = max |dx|
 */
export function diskRowHalfWidths(radius: number): Int32Array {
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`disk radius must be a whole number ≥ 0, got ${radius}`);
  const halfWidths = new Int32Array(2 * radius + 1);
  for (let dy = -radius; dy <= radius; dy++) {
    let halfWidth = 0;
    while ((halfWidth + 1) * (halfWidth + 1) + dy * dy <= radius * radius) halfWidth++;
    halfWidths[dy + radius] = halfWidth;
  }
  return halfWidths;
}

/**
 * Binary dilation by a disk, as `cv2.dilate(bitmap, disk(radius))` with the anchor at the centre: pixels outside the
 * image never contribute (OpenCV's default border for dilation). Instead of 289 lookups per pixel for r=8, every
 * horizontal run of set pixels paints one span per disk row — the union of the disks of a run's pixels on a row is
 * exactly [runStart − halfWidth, runEnd + halfWidth].
 *
 * @param bitmap H×W row-major, non-zero = set
 * @param region only look for set pixels inside this rectangle (all set pixels must lie in it)
 * @returns H×W row-major, 1 where some set pixel lies within the disk
 */
export function dilateWithDisk(bitmap: Uint8Array, width: number, height: number, radius: number, region?: PixelBox): Uint8Array {
  if (bitmap.length !== width * height) throw new RangeError(`bitmap has ${bitmap.length} pixels, expected ${width}×${height}`);
  const halfWidths = diskRowHalfWidths(radius);
  const dilated = new Uint8Array(width * height);
  const x0 = region?.minX ?? 0;
  const xEnd = Math.min(width, (region?.maxX ?? width - 1) + 1);
  const yEnd = Math.min(height, (region?.maxY ?? height - 1) + 1);
  for (let y = region?.minY ?? 0; y < yEnd; y++) {
    const row = y * width;
    let x = x0;
    while (x < xEnd) {
      if (bitmap[row + x] === 0) {
        x++;
        continue;
      }
      const runStart = x;
      while (x < xEnd && bitmap[row + x] !== 0) x++;
      const runEnd = x - 1;
      const firstY = Math.max(0, y - radius);
      const lastY = Math.min(height - 1, y + radius);
      for (let targetY = firstY; targetY <= lastY; targetY++) {
        const halfWidth = halfWidths[targetY - y + radius];
        const from = Math.max(0, runStart - halfWidth);
        const to = Math.min(width - 1, runEnd + halfWidth);
        // A plain loop beats fill() here: spans are ~17 bytes and fill's call overhead dominates.
        for (let i = targetY * width + from, end = targetY * width + to; i <= end; i++) dilated[i] = 1;
      }
    }
  }
  return dilated;
}
