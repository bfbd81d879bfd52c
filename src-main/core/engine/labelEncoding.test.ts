import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIndexedPng } from '../formats/png.ts';
import { vocColorMap } from '../formats/palette.ts';
import { decodePrediction, encodeLabelMap, makeLabelSet, oneHotLabels } from './labelEncoding.ts';
import { readNpy } from './npy.ts';
import { propagationReferenceDir } from '../../../tests/support/testData.ts';

const carShadow = join(propagationReferenceDir, 'car-shadow');

function paletteImage(indices: number[], width: number) {
  return { width, height: indices.length / width, indices: Uint8Array.from(indices), palette: vocColorMap() };
}

describe('labelEncoding', () => {
  it('orders channels by BGR colour so DAVIS id 8 comes before id 1 and void is a channel', () => {
    const set = makeLabelSet(paletteImage([0, 1, 8, 255, 2, 1], 3));
    expect(set.ids).toEqual([0, 8, 1, 2, 255]);
    expect(set.colours[0]).toEqual([0, 0, 0]);
    expect(set.colours[1]).toEqual([0, 0, 64]);
  });

  it('uses grey values as colours for grey part maps, in value order', () => {
    const set = makeLabelSet({ width: 4, height: 1, indices: Uint8Array.from([3, 0, 7, 3]) });
    expect(set.ids).toEqual([0, 3, 7]);
    const onehot = oneHotLabels({ width: 4, height: 1, indices: Uint8Array.from([3, 0, 7, 3]) }, set);
    expect(Array.from(onehot.data)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('decodes with the first maximum on ties and maps channels back to ids', () => {
    const set = { colours: [[0, 0, 0], [0, 0, 128], [0, 128, 0]] as Array<[number, number, number]>, ids: [0, 1, 2] };
    const prediction = { width: 2, height: 1, channels: 3, data: new Float32Array([0.2, 0.4, 0.4, 0.5, 0.5, 0]) };
    expect(Array.from(decodePrediction(prediction, set, 2, 1))).toEqual([1, 0]);
  });

  it('round-trips a blocky mask through down-scaling and decoding', () => {
    const width = 64;
    const indices = new Uint8Array(width * 48);
    for (let y = 16; y < 40; y++) for (let x = 8; x < 32; x++) indices[y * width + x] = 2;
    const image = paletteImage(Array.from(indices), width);
    const { labelSet, labels } = encodeLabelMap(image);
    expect([labels.width, labels.height, labels.channels]).toEqual([8, 6, 2]);
    const decoded = decodePrediction(labels, labelSet, width, 48);
    let differing = 0;
    for (let i = 0; i < decoded.length; i++) if (decoded[i] !== indices[i]) differing++;
    expect(differing).toBeLessThan(0.1 * 24 * 24);
    expect(decoded[28 * width + 20]).toBe(2);
  });

  describe.skipIf(!existsSync(carShadow))('on the car-shadow reference (skipped: ../shared/data/reference/propagation/car-shadow absent)', () => {
    it('down-scales the first label exactly like the reference label0_60x107.npy', () => {
      const { labels } = encodeLabelMap(readIndexedPng(join(carShadow, 'first.png')));
      const reference = readNpy(join(carShadow, 'label0_60x107.npy'));
      expect(reference.shape).toEqual([labels.height, labels.width, labels.channels]);
      let maxDifference = 0;
      for (let i = 0; i < labels.data.length; i++) {
        maxDifference = Math.max(maxDifference, Math.abs(labels.data[i] - (reference.data as Float32Array)[i]));
      }
      expect(maxDifference).toBe(0);
    });
  });
});
