import { describe, expect, it } from 'vitest';
import { EvalError } from './evalError.ts';
import { resizeNearest, VIP_CLASS_COUNT, VipConfusion } from './vipMiou.ts';

describe('VipConfusion', () => {
  it('sums the confusion over frames and averages IoU over the classes present (nanmean)', () => {
    const confusion = new VipConfusion();
    // frame 1: gt [0 0 1 1], prediction [0 1 1 1]; frame 2: gt [2 2 0 255], prediction [2 0 0 5]
    confusion.addFrame(Uint8Array.of(0, 0, 1, 1), Uint8Array.of(0, 1, 1, 1));
    confusion.addFrame(Uint8Array.of(2, 2, 0, 255), Uint8Array.of(2, 0, 0, 5));
    // class 0: tp 2 (gt 0→0 twice), gt count 3, predicted 3 → 2/4; class 1: tp 2, gt 2, predicted 3 → 2/3;
    // class 2: tp 1, gt 2, predicted 1 → 1/2; the pixel with GT 255 is ignored; 17 classes absent → NaN.
    const iou = confusion.perClassIou();
    expect(iou.slice(0, 3)).toEqual([0.5, 2 / 3, 0.5]);
    expect(iou.slice(3).every(Number.isNaN)).toBe(true);
    expect(confusion.meanIou()).toBeCloseTo((0.5 + 2 / 3 + 0.5) / 3, 15);
    expect(confusion.counts.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('counts a class predicted but never in the GT as IoU 0', () => {
    const confusion = new VipConfusion();
    confusion.addFrame(Uint8Array.of(0, 0), Uint8Array.of(0, 7));
    expect(confusion.perClassIou()[7]).toBe(0);
    expect(confusion.meanIou()).toBeCloseTo((0.5 + 0) / 2, 15);
  });

  it('refuses predicted ids outside the 20 classes, naming the file', () => {
    const confusion = new VipConfusion();
    expect(() => confusion.addFrame(Uint8Array.of(0), Uint8Array.of(VIP_CLASS_COUNT), 'p.png')).toThrow(EvalError);
    expect(() => confusion.addFrame(Uint8Array.of(0), Uint8Array.of(20), 'p.png')).toThrow(/^p\.png: prediction has class id 20/);
  });
});

describe('resizeNearest', () => {
  it('picks source pixel floor(d · src/dst) like OpenCV INTER_NEAREST', () => {
    // 4×1 → 6×1: floor(d · 2/3) = 0 0 1 2 2 3
    expect(Array.from(resizeNearest(Uint8Array.of(10, 11, 12, 13), 4, 1, 6, 1))).toEqual([10, 10, 11, 12, 12, 13]);
    // 2×2 → 1×1 keeps the top-left pixel
    expect(Array.from(resizeNearest(Uint8Array.of(1, 2, 3, 4), 2, 2, 1, 1))).toEqual([1]);
  });
});
