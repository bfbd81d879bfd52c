import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeIndexedPng, encodeIndexedPng, PngError, readIndexedPng } from './png.ts';
import { vocColor, vocColorMap } from './palette.ts';

const sharedData = process.env.CORRESPOND_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const tennis = join(sharedData, 'davis2017-samples/Annotations/480p/tennis');

describe('VOC colour map', () => {
  it('matches the first entries and the last entry listed in SPEC §1.1', () => {
    expect(vocColor(0)).toEqual([0, 0, 0]);
    expect(vocColor(1)).toEqual([128, 0, 0]);
    expect(vocColor(8)).toEqual([64, 0, 0]);
    expect(vocColor(11)).toEqual([192, 128, 0]);
    expect(vocColor(255)).toEqual([224, 224, 192]);
  });
});

describe('indexed PNG', () => {
  it('round-trips indices through a palette PNG', () => {
    const indices = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
    const bytes = encodeIndexedPng({ width: 7, height: 5, indices });
    const decoded = decodeIndexedPng(bytes);
    expect(decoded.width).toBe(7);
    expect(decoded.height).toBe(5);
    expect(Array.from(decoded.indices)).toEqual(Array.from(indices));
    expect(Array.from(decoded.palette!.subarray(0, 6))).toEqual(Array.from(vocColorMap().subarray(0, 6)));
  });

  it('refuses an empty file, a non-PNG and a truncated PNG with the file name in the message', () => {
    expect(() => decodeIndexedPng(new Uint8Array(0), 'a.png')).toThrow(/a\.png: the file is empty/);
    expect(() => decodeIndexedPng(new TextEncoder().encode('hello'), 'b.png')).toThrow(PngError);
    const bytes = encodeIndexedPng({ width: 64, height: 64, indices: new Uint8Array(64 * 64).fill(3) });
    expect(() => decodeIndexedPng(bytes.subarray(0, bytes.length - 30), 'c.png')).toThrow(/c\.png: corrupt or truncated/);
  });

  describe.skipIf(!existsSync(tennis))('on real DAVIS-2017 files (skipped: ../shared/data absent)', () => {
    it('reads tennis frame 0 with objects 1, 2 and void 255', () => {
      const first = readdirSync(tennis).sort()[0];
      const image = readIndexedPng(join(tennis, first));
      expect([image.width, image.height]).toEqual([854, 480]);
      const values = new Set(image.indices);
      expect(values.has(1) && values.has(2) && values.has(255)).toBe(true);
    });
  });
});
