import { describe, expect, it } from 'vitest';
import type { FeatureMap, RgbFrame } from '../engine/featureMap.ts';
import { maskIou, nextClick, squaredDistanceToOutside } from './clickProtocol.ts';
import { type SegmentationClick, segmentByClicks } from './clickSegmentation.ts';

const WIDTH = 96;
const HEIGHT = 64;

/** A noisy frame with a disc (the object) and a square of the same colour elsewhere (a look-alike distractor). */
function syntheticScene(): { frame: RgbFrame; truth: Uint8Array; features: FeatureMap } {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  const truth = new Uint8Array(WIDTH * HEIGHT);
  let state = 12345;
  const noise = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 24) % 17 - 8;
  };
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const pixel = y * WIDTH + x;
      const inDisc = (x - 30) ** 2 + (y - 32) ** 2 <= 18 ** 2;
      const inSquare = x >= 68 && x < 88 && y >= 10 && y < 30;
      truth[pixel] = inDisc ? 1 : 0;
      const [r, g, b] = inDisc || inSquare ? [200, 60, 50] : [40, 110, 160];
      data[pixel * 3] = r + noise();
      data[pixel * 3 + 1] = g + noise();
      data[pixel * 3 + 2] = b + noise();
    }
  }
  // Stride-8 features: two channels, "object-like" and "background-like", L2-normalised (the square is object-like too).
  const cellWidth = WIDTH / 8;
  const cellHeight = HEIGHT / 8;
  const cells = cellWidth * cellHeight;
  const features = new Float32Array(2 * cells);
  for (let cy = 0; cy < cellHeight; cy++) {
    for (let cx = 0; cx < cellWidth; cx++) {
      let inside = 0;
      for (let y = cy * 8; y < cy * 8 + 8; y++) for (let x = cx * 8; x < cx * 8 + 8; x++) inside += data[(y * WIDTH + x) * 3] > 120 ? 1 : 0;
      const a = inside / 64 + 0.05;
      const b = 1 - inside / 64 + 0.05;
      const norm = Math.hypot(a, b);
      features[cy * cellWidth + cx] = a / norm;
      features[cells + cy * cellWidth + cx] = b / norm;
    }
  }
  return { frame: { width: WIDTH, height: HEIGHT, data }, truth, features: { channels: 2, width: cellWidth, height: cellHeight, data: features } };
}

describe('segmentByClicks', () => {
  it('segments the clicked disc from one positive click and leaves the look-alike square out', () => {
    const { frame, truth, features } = syntheticScene();
    const mask = segmentByClicks({ frame, features, clicks: [{ x: 30, y: 32, positive: true }] });
    expect(maskIou(mask, truth)).toBeGreaterThan(0.9);
    expect(mask[20 * WIDTH + 78]).toBe(0);
  });

  it('takes a box as the object prior without any click', () => {
    const { frame, truth, features } = syntheticScene();
    const mask = segmentByClicks({ frame, features, clicks: [], box: { x0: 8, y0: 10, x1: 52, y1: 54 } });
    // A box gives no pixel-exact seed: the object's rim at the stride-8 cell rows may stay out.
    expect(maskIou(mask, truth)).toBeGreaterThan(0.75);
    expect(mask[32 * WIDTH + 30]).toBe(1);
    expect(mask[20 * WIDTH + 78]).toBe(0);
  });

  it('removes a false region with a negative click and keeps the rest of the previous mask', () => {
    const { frame, truth, features } = syntheticScene();
    const previousMask = Uint8Array.from(truth);
    for (let y = 10; y < 30; y++) for (let x = 68; x < 88; x++) previousMask[y * WIDTH + x] = 1;
    const mask = segmentByClicks({ frame, features, clicks: [{ x: 78, y: 20, positive: false }], previousMask });
    expect(mask[20 * WIDTH + 78]).toBe(0);
    expect(maskIou(mask, truth)).toBeGreaterThan(0.9);
  });

  it('works on colour alone when no features are given', () => {
    const { frame, truth } = syntheticScene();
    const mask = segmentByClicks({ frame, clicks: [{ x: 30, y: 32, positive: true }, { x: 78, y: 20, positive: false }] });
    expect(maskIou(mask, truth)).toBeGreaterThan(0.85);
  });
});

describe('the click protocol', () => {
  it('measures distance to the nearest outside pixel, the frame edge counting as outside', () => {
    const region = new Uint8Array(5 * 5).fill(1);
    const distance = squaredDistanceToOutside(region, 5, 5);
    expect(distance[2 * 5 + 2]).toBe(9);
    expect(distance[0]).toBe(1);
  });

  it('clicks positive at the centre of the largest missed region, negative in the largest false one', () => {
    const truth = new Uint8Array(WIDTH * HEIGHT);
    for (let y = 10; y < 31; y++) for (let x = 10; x < 31; x++) truth[y * WIDTH + x] = 1;
    const first = nextClick(new Uint8Array(WIDTH * HEIGHT), truth, WIDTH, HEIGHT) as SegmentationClick;
    expect(first).toEqual({ x: 20, y: 20, positive: true });
    const prediction = Uint8Array.from(truth);
    for (let y = 40; y < 60; y++) for (let x = 50; x < 90; x++) prediction[y * WIDTH + x] = 1;
    const second = nextClick(prediction, truth, WIDTH, HEIGHT)!;
    expect(second.positive).toBe(false);
    expect(prediction[second.y * WIDTH + second.x]).toBe(1);
    expect(nextClick(truth, truth, WIDTH, HEIGHT)).toBeUndefined();
  });
});
