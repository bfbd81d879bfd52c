import { describe, expect, it } from 'vitest';
import { emptyMask, labelBoxes, maskFromBitmap, maskOfId } from './binaryMask.ts';

// 4×3 label map:
//   0 1 0 0
//   0 0 2 2
//   0 1 0 0
const ids = Uint8Array.of(0, 1, 0, 0, 0, 0, 2, 2, 0, 1, 0, 0);

describe('binary masks', () => {
  it('selects exactly one id and records its count and bounding box', () => {
    const mask = maskOfId(ids, 4, 3, 1);
    expect(Array.from(mask.data)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(mask.count).toBe(2);
    expect(mask.box).toEqual({ minX: 1, minY: 0, maxX: 1, maxY: 2 });
    expect(maskOfId(ids, 4, 3, 9).box).toBeUndefined();
  });

  it('finds the box of every id in one pass, and a mask cut from that box equals the full scan', () => {
    const boxes = labelBoxes(ids, 4, 3);
    expect(boxes[0]).toEqual({ minX: 0, minY: 0, maxX: 3, maxY: 2 });
    expect(boxes[2]).toEqual({ minX: 2, minY: 1, maxX: 3, maxY: 1 });
    expect(boxes[3]).toBeUndefined();
    expect(maskOfId(ids, 4, 3, 2, boxes[2])).toEqual(maskOfId(ids, 4, 3, 2));
  });

  it('wraps bitmaps with any non-zero value as set', () => {
    expect(maskFromBitmap(Uint8Array.of(0, 7, 0, 255), 2, 2)).toEqual({
      data: Uint8Array.of(0, 1, 0, 1),
      width: 2,
      height: 2,
      count: 2,
      box: { minX: 1, minY: 0, maxX: 1, maxY: 1 },
    });
    expect(emptyMask(2, 2).count).toBe(0);
  });
});
