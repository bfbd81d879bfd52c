/**
 * Pixel operations of the mask editor on label maps: `mask` is height×width bytes, row-major (0 = background, else
 * 1 for a mask object or a class id for a part object). Points are in frame coordinates, where pixel (x, y) covers
 * [x, x+1)×[y, y+1), so its centre is (x+0.5, y+0.5). Each function returns how many pixels it changed.
 */
export interface LabelMap {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface FramePoint {
  x: number;
  y: number;
}

/**
 * Paints the capsule swept by a round brush of `radiusPx` moving from `from` to `to` (a disc when they coincide):
 * every pixel whose centre lies within the radius of the segment. The pixel under each end point is always painted,
 * so a 1-pixel brush still leaves a mark.
 */
export function paintStroke(map: LabelMap, from: FramePoint, to: FramePoint, radiusPx: number, value: number): number {
  const { width, height, data } = map;
  const radius = Math.max(0, radiusPx);
  const minX = Math.max(0, Math.floor(Math.min(from.x, to.x) - radius));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(from.x, to.x) + radius));
  const minY = Math.max(0, Math.floor(Math.min(from.y, to.y) - radius));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(from.y, to.y) + radius));
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const lengthSquared = dx * dx + dy * dy;
  const radiusSquared = radius * radius;
  let changed = 0;
  for (let y = minY; y <= maxY; y++) {
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5 - from.x;
      const py = y + 0.5 - from.y;
      const t = lengthSquared > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / lengthSquared)) : 0;
      const ex = px - t * dx;
      const ey = py - t * dy;
      if (ex * ex + ey * ey > radiusSquared) continue;
      const offset = y * width + x;
      if (data[offset] !== value) {
        data[offset] = value;
        changed++;
      }
    }
  }
  for (const point of [from, to]) changed += setPixel(map, Math.floor(point.x), Math.floor(point.y), value);
  return changed;
}

function setPixel(map: LabelMap, x: number, y: number, value: number): number {
  if (x < 0 || y < 0 || x >= map.width || y >= map.height) return 0;
  const offset = y * map.width + x;
  if (map.data[offset] === value) return 0;
  map.data[offset] = value;
  return 1;
}

/** Fills a closed polygon (even-odd rule, sampled at pixel centres). */
export function fillPolygon(map: LabelMap, points: readonly FramePoint[], value: number): number {
  if (points.length < 3) return 0;
  const { width, height, data } = map;
  const minY = Math.max(0, Math.floor(Math.min(...points.map((p) => p.y))));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(...points.map((p) => p.y))));
  let changed = 0;
  const crossings: number[] = [];
  for (let y = minY; y <= maxY; y++) {
    const sampleY = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < points.length; i++) {
      const a = points[i];
      const b = points[(i + 1) % points.length];
      // Half-open in y so a vertex on the scan line is counted once.
      if ((a.y <= sampleY && b.y > sampleY) || (b.y <= sampleY && a.y > sampleY)) {
        crossings.push(a.x + ((sampleY - a.y) / (b.y - a.y)) * (b.x - a.x));
      }
    }
    crossings.sort((p, q) => p - q);
    for (let i = 0; i + 1 < crossings.length; i += 2) {
      const startX = Math.max(0, Math.ceil(crossings[i] - 0.5));
      const endX = Math.min(width - 1, Math.ceil(crossings[i + 1] - 0.5) - 1);
      for (let x = startX; x <= endX; x++) {
        const offset = y * width + x;
        if (data[offset] !== value) {
          data[offset] = value;
          changed++;
        }
      }
    }
  }
  return changed;
}

/**
 * Fills the holes of the labelled region: background pixels that cannot reach the frame border through background
 * (4-connected) get `value`.
 */
export function fillHoles(map: LabelMap, value: number): number {
  const { width, height, data } = map;
  const outside = new Uint8Array(width * height);
  const stack: number[] = [];
  const visit = (offset: number) => {
    if (data[offset] === 0 && !outside[offset]) {
      outside[offset] = 1;
      stack.push(offset);
    }
  };
  for (let x = 0; x < width; x++) {
    visit(x);
    visit((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    visit(y * width);
    visit(y * width + width - 1);
  }
  while (stack.length > 0) {
    const offset = stack.pop()!;
    const x = offset % width;
    if (x > 0) visit(offset - 1);
    if (x < width - 1) visit(offset + 1);
    if (offset >= width) visit(offset - width);
    if (offset < (height - 1) * width) visit(offset + width);
  }
  let changed = 0;
  for (let offset = 0; offset < data.length; offset++) {
    if (data[offset] === 0 && !outside[offset]) {
      data[offset] = value;
      changed++;
    }
  }
  return changed;
}

export function isEmptyMask(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}
