import { describe, expect, it } from 'vitest';
import { maskFromBitmap } from './binaryMask.ts';
import { diskRowHalfWidths, dilateWithDisk } from './diskDilation.ts';

/** 289 lookups per pixel for r=8: the slow definition the fast version must equal. */
function naiveDilate(bitmap: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      search: for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          if (dx * dx + dy * dy > radius * radius) continue;
          const sx = x + dx;
          const sy = y + dy;
          if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
          if (bitmap[sy * width + sx]) {
            out[y * width + x] = 1;
            break search;
          }
        }
      }
    }
  }
  return out;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('disk structuring element', () => {
  it('has the row half-widths of skimage disk(8), 197 pixels in all', () => {
    const halfWidths = Array.from(diskRowHalfWidths(8));
    expect(halfWidths).toEqual([0, 3, 5, 6, 6, 7, 7, 7, 8, 7, 7, 7, 6, 6, 5, 3, 0]);
    expect(halfWidths.reduce((sum, h) => sum + 2 * h + 1, 0)).toBe(197);
  });

  it('refuses a fractional radius', () => {
    expect(() => diskRowHalfWidths(2.5)).toThrow(/whole number/);
  });
});

describe('dilateWithDisk', () => {
  it('turns a single pixel into the disk, clipped at the image border', () => {
    const bitmap = new Uint8Array(5 * 4);
    bitmap[0] = 1;
    const rows = [];
    const dilated = dilateWithDisk(bitmap, 5, 4, 2);
    for (let y = 0; y < 4; y++) rows.push(Array.from(dilated.subarray(y * 5, y * 5 + 5)).join(''));
    expect(rows).toEqual(['11100', '11000', '10000', '00000']);
  });

  it('equals the per-pixel definition on random sparse bitmaps for radii 0, 1, 3 and 8', () => {
    const random = seededRandom(7);
    for (const [width, height, density] of [
      [37, 23, 0.02],
      [64, 40, 0.005],
      [19, 31, 0.3],
    ] as const) {
      const bitmap = Uint8Array.from({ length: width * height }, () => (random() < density ? 1 : 0));
      for (const radius of [0, 1, 3, 8]) {
        const expected = Array.from(naiveDilate(bitmap, width, height, radius));
        expect(Array.from(dilateWithDisk(bitmap, width, height, radius))).toEqual(expected);
        const box = maskFromBitmap(bitmap, width, height).box!;
        expect(Array.from(dilateWithDisk(bitmap, width, height, radius, box))).toEqual(expected);
      }
    }
  });

  it('dilates the boundary of a 480×854 frame in a few milliseconds', () => {
    const width = 854;
    const height = 480;
    const bitmap = new Uint8Array(width * height);
    for (let angle = 0; angle < 2 * Math.PI; angle += 0.0005) {
      bitmap[Math.round(240 + 200 * Math.sin(angle)) * width + Math.round(427 + 300 * Math.cos(angle))] = 1;
    }
    const started = performance.now();
    for (let i = 0; i < 10; i++) dilateWithDisk(bitmap, width, height, 8);
    expect((performance.now() - started) / 10).toBeLessThan(30);
  });
});
