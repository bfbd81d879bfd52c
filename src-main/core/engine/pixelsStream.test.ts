import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuseStreams } from './featureMap.ts';
import { FrameSource, probeSource } from '../video/index.ts';
import { readNpy } from './npy.ts';
import { createPixelsStream, pixelsFeatures } from './pixelsStream.ts';
import { propagationReferenceDir } from '../../../tests/support/testData.ts';

const carShadow = join(propagationReferenceDir, 'car-shadow');

describe('pixelsStream', () => {
  it('puts pooled sub-cell (dy, dx) colour rgb in channel (dy·4+dx)·3+rgb before normalising', () => {
    const width = 8;
    const data = new Uint8Array(width * 8 * 3).fill(124); // ≈ mean grey
    // brighten the red of pooled sub-cell (dy=1, dx=2): pixels x 4..5, y 2..3
    for (const [x, y] of [[4, 2], [5, 2], [4, 3], [5, 3]]) data[(y * width + x) * 3] = 255;
    const map = pixelsFeatures({ width, height: 8, data });
    expect([map.channels, map.height, map.width]).toEqual([48, 1, 1]);
    const strongest = Array.from(map.data).reduce((best, v, i, all) => (Math.abs(v) > Math.abs(all[best]) ? i : best), 0);
    expect(strongest).toBe((1 * 4 + 2) * 3 + 0);
    const norm = Math.hypot(...map.data);
    expect(norm).toBeCloseTo(1, 6);
  });

  it('zero-pads frames whose size is not a multiple of 8 and gives ceil(H/8)×ceil(W/8) cells', () => {
    const map = pixelsFeatures({ width: 10, height: 17, data: new Uint8Array(10 * 17 * 3).fill(200) });
    expect([map.height, map.width]).toEqual([3, 2]);
  });

  it('fuses streams as normalize([normalize(a), λ·normalize(b)]) (SPEC §2.3)', () => {
    const a = { channels: 1, height: 1, width: 1, data: new Float32Array([2]) };
    const b = { channels: 1, height: 1, width: 1, data: new Float32Array([-5]) };
    const fused = fuseStreams([a, b], [1, 1.75]);
    const scale = Math.hypot(1, 1.75);
    expect(fused.data[0]).toBeCloseTo(1 / scale, 6);
    expect(fused.data[1]).toBeCloseTo(-1.75 / scale, 6);
  });

  it.skipIf(!existsSync(carShadow))('matches the reference features_l2.npy on the fixture JPEGs up to JPEG decoder differences (skipped without ../shared data)', async () => {
    const reference = readNpy(join(carShadow, 'features_l2.npy'));
    const [channels, frameCount, height, width] = reference.shape;
    const source = new FrameSource(await probeSource(join(carShadow, 'frames')));
    const frame = await source.getFrame(0);
    await source.close();
    const map = await createPixelsStream().extract(frame);
    expect([map.channels, map.height, map.width]).toEqual([channels, height, width]);
    const data = reference.data as Float32Array;
    let worst = 0;
    let total = 0;
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < height * width; i++) {
        const d = Math.abs(map.data[c * height * width + i] - data[(c * frameCount) * height * width + i]);
        worst = Math.max(worst, d);
        total += d;
      }
    }
    // Decoded with libjpeg (as the reference) the formula matches to 1e-7; ffmpeg's chroma upsampling differs by up to
    // ~77 levels at sharp colour edges, so only the average is tight here.
    expect(total / map.data.length).toBeLessThan(2e-3);
    expect(worst).toBeLessThan(0.25);
  });
});
