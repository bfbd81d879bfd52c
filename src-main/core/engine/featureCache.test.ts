import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFeatureFrame, encodeFeatureFrame, FeatureCache, featureCacheKey, fromHalf, toHalf } from './featureCache.ts';

const root = mkdtempSync(join(tmpdir(), 'correspond-feature-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('float16', () => {
  it('encodes known values bit-exactly', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(0.1)).toBe(0x2e66);
    expect(toHalf(2 ** -24)).toBe(0x0001);
    expect(toHalf(1e-9)).toBe(0);
    expect(toHalf(-0)).toBe(0x8000);
    // Ties go to the even mantissa: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00);
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('round-trips every half value and stays within half an ulp of random floats', () => {
    for (let bits = 0; bits < 0x7c00; bits += 7) expect(toHalf(fromHalf(bits))).toBe(bits);
    for (let i = 0; i < 2000; i++) {
      const value = Math.sin(i * 12.9898) * 1.5;
      const back = fromHalf(toHalf(value));
      expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.max(Math.abs(value) * 2 ** -11, 2 ** -25));
    }
  });
});

describe('FeatureCache', () => {
  const map = { channels: 3, height: 2, width: 2, data: Float32Array.from({ length: 12 }, (_, i) => Math.cos(i) / 3) };

  it('computes once, then serves the same float16-rounded features from disk', async () => {
    const cache = new FeatureCache(root, featureCacheKey({ clip: '/clips/a', stream: 'default' }));
    let computed = 0;
    const first = await cache.get(4, () => (computed++, map));
    const again = await new FeatureCache(root, featureCacheKey({ stream: 'default', clip: '/clips/a' })).get(4, () => (computed++, map));
    expect(computed).toBe(1);
    expect(again).toEqual(first);
    expect(Array.from(first.data)).toEqual(Array.from(map.data, (value) => Math.fround(fromHalf(toHalf(value)))));
    expect(cache.stats).toEqual({ hits: 0, misses: 1 });
  });

  it('keys differ by stream or model hash', () => {
    expect(featureCacheKey({ clip: 'a', stream: 'default' })).not.toBe(featureCacheKey({ clip: 'a', stream: 'pixels' }));
    expect(featureCacheKey({ clip: 'a', model: 'x' })).not.toBe(featureCacheKey({ clip: 'a', model: 'y' }));
  });

  it('recomputes a damaged entry instead of trusting it, and clear() forgets every frame', async () => {
    const cache = new FeatureCache(root, featureCacheKey({ clip: 'damaged' }));
    await cache.get(0, () => map);
    const [name] = readdirSync(cache.folder);
    writeFileSync(join(cache.folder, name), 'garbage');
    let computed = 0;
    await cache.get(0, () => (computed++, map));
    expect(computed).toBe(1);
    cache.clear();
    expect(readdirSync(cache.folder)).toEqual([]);
  });

  it('refuses a truncated frame file, naming it', () => {
    const bytes = encodeFeatureFrame(map).subarray(0, 20);
    expect(() => decodeFeatureFrame(bytes, 'f.cfc')).toThrow(/^f\.cfc: feature-cache file holds 20 bytes, expected 40/);
    expect(() => decodeFeatureFrame(new Uint8Array(40), 'g.cfc')).toThrow(/g\.cfc: not a Correspond feature-cache file/);
  });
});
