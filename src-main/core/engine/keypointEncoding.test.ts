import { describe, expect, it } from 'vitest';
import { decodeKeypoints, encodeKeypoints } from './keypointEncoding.ts';

// JHMDB geometry (SPEC §3.2): 320×240 frames resized to 320×320, 40×40 maps.
const geometry = { frameWidth: 320, frameHeight: 240, inputWidth: 320, inputHeight: 320, stride: 8 };
const joints = [
  { x: 100, y: 50 },
  { x: 3.2, y: 2 },
  { x: 319, y: 239 },
  { x: 160.5, y: 120.25 },
  { x: -20, y: 5 },
];
// Computed by the reference draw_labelmap + process_pose (torch.topk on the CPU, torch 1.13).
const referenceCoords = [
  [12.893491744995117, 7.893492221832275],
  [0.8934929370880127, 0.8934929370880127],
  [38.99753189086914, 38.99753189086914],
  [19.893489837646484, 19.893489837646484],
  [-1, -1],
];

describe('keypointEncoding', () => {
  it('draws 4×4 Gaussian patches (clipped at the border) plus a background channel', () => {
    const maps = encodeKeypoints(joints, geometry);
    expect([maps.width, maps.height, maps.channels]).toEqual([40, 40, 6]);
    const nonZero = [1, 2, 3, 4, 5].map((c) => {
      let count = 0;
      for (let i = 0; i < 1600; i++) if (maps.data[i * 6 + c] > 0) count++;
      return count;
    });
    expect(nonZero).toEqual([16, 4, 4, 16, 0]);
    // joint 0: x' = 100/8 = 12.5, y' = 50·(320/240)/8 = 8.33 → ul (11, 6), peak at (13, 8)
    expect(maps.data[(8 * 40 + 13) * 6 + 1]).toBe(1);
    expect(maps.data[(8 * 40 + 13) * 6]).toBe(0);
    expect(maps.data[(30 * 40 + 30) * 6]).toBe(1);
  });

  it('decodes top-3 weighted positions exactly like process_pose, ties and absent joints included', () => {
    const coords = decodeKeypoints(encodeKeypoints(joints, geometry));
    expect(coords.map((p) => [p.x, p.y])).toEqual(referenceCoords);
  });

  it('skips joints without annotation', () => {
    const maps = encodeKeypoints([null, { x: 10, y: 10 }], geometry);
    expect(decodeKeypoints(maps)[0]).toEqual({ x: -1, y: -1 });
  });
});
