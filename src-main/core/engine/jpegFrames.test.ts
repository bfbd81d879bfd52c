import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageLikeOpenCv, fancyUpsample420, ycbcrToRgb } from './jpegFrames.ts';
import { readNpy } from './npy.ts';
import { pixelsFeatures } from './pixelsStream.ts';
import { propagationReferenceDir } from '../../../tests/support/testData.ts';

const carShadow = join(propagationReferenceDir, 'car-shadow');

describe('jpegFrames', () => {
  it('upsamples chroma with libjpeg triangular weights (3/4 nearer, 1/4 farther sample)', () => {
    // 2×1 chroma → 4×2: columns 0,1 from sample 0 (=0) and 2,3 from sample 1 (=160)
    const out = fancyUpsample420(Uint8Array.from([0, 160]), 2, 1, 4, 2);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 40, 120, 160]);
    expect(Array.from(out.subarray(4, 8))).toEqual([0, 40, 120, 160]);
  });

  it('converts YCbCr to RGB with libjpeg fixed-point tables', () => {
    expect(Array.from(ycbcrToRgb(Uint8Array.from([128]), Uint8Array.from([128]), Uint8Array.from([128])))).toEqual([128, 128, 128]);
    expect(Array.from(ycbcrToRgb(Uint8Array.from([76]), Uint8Array.from([85]), Uint8Array.from([255])))).toEqual([254, 0, 0]);
  });

  it.skipIf(!existsSync(carShadow))('decodes fixture JPEGs close enough that pixels features match the reference within 0.02 (skipped without ../shared data)', async () => {
    const frame = await decodeImageLikeOpenCv(join(carShadow, 'frames', '00000.jpg'));
    const map = pixelsFeatures(frame);
    const reference = readNpy(join(carShadow, 'features_l2.npy'));
    const [channels, frameCount, height, width] = reference.shape;
    const data = reference.data as Float32Array;
    let worst = 0;
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < height * width; i++) worst = Math.max(worst, Math.abs(map.data[c * height * width + i] - data[c * frameCount * height * width + i]));
    }
    expect(worst).toBeLessThan(0.02);
  });
});
