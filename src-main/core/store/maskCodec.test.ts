import { describe, expect, it } from 'vitest';
import { decodeMaskRle, encodeMaskRle } from './maskCodec.ts';
import { StoreError } from './storeError.ts';

function roundTrip(mask: Uint8Array, width: number, height: number): Uint8Array {
  const blob = encodeMaskRle(mask, width, height);
  const decoded = decodeMaskRle(blob);
  expect(decoded.width).toBe(width);
  expect(decoded.height).toBe(height);
  // Byte comparison: vitest's deep equality walks typed arrays element by element, far too slowly for 4K maps.
  expect(Buffer.compare(Buffer.from(decoded.data), Buffer.from(mask))).toBe(0);
  return blob;
}

/** Deterministic pseudo-random bytes (mulberry32) so failures reproduce. */
function noise(length: number, seed: number, modulo: number): Uint8Array {
  let state = seed >>> 0;
  const values = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
    values[index] = ((mixed ^ (mixed >>> 14)) >>> 0) % modulo;
  }
  return values;
}

function expectCorrupt(blob: Uint8Array, messagePart: string): void {
  try {
    decodeMaskRle(blob);
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('CORRUPT_DATA');
    expect((error as StoreError).message).toContain(messagePart);
    return;
  }
  throw new Error('decodeMaskRle accepted a corrupt blob');
}

describe('maskCodec', () => {
  it('round-trips an empty mask into a few bytes', () => {
    const blob = roundTrip(new Uint8Array(640 * 480), 640, 480);
    expect(blob.length).toBeLessThan(16);
  });

  it('round-trips a full mask, which starts with an empty background run', () => {
    const blob = roundTrip(new Uint8Array(640 * 480).fill(1), 640, 480);
    expect(blob.length).toBeLessThan(16);
  });

  it('round-trips 1×1 maps of 0, 1 and a class id', () => {
    roundTrip(Uint8Array.of(0), 1, 1);
    roundTrip(Uint8Array.of(1), 1, 1);
    roundTrip(Uint8Array.of(7), 1, 1);
  });

  it('round-trips binary noise and label noise exactly', () => {
    roundTrip(noise(97 * 53, 1, 2), 97, 53);
    roundTrip(noise(97 * 53, 2, 15), 97, 53);
    roundTrip(noise(33 * 17, 3, 256), 33, 17);
  });

  it('stores a blob mask far smaller than its pixel count', () => {
    const width = 320;
    const height = 240;
    const mask = new Uint8Array(width * height);
    for (let y = 60; y < 180; y += 1) mask.fill(1, y * width + 100, y * width + 220);
    const blob = roundTrip(mask, width, height);
    expect(blob.length).toBeLessThan(600);
  });

  it('keeps runs longer than one varint byte, including a single run of a whole 4K frame', () => {
    const mask = new Uint8Array(3840 * 2160).fill(3);
    mask[mask.length - 1] = 4;
    roundTrip(mask, 3840, 2160);
  });

  it('rejects a mask whose length does not match its size', () => {
    expect(() => encodeMaskRle(new Uint8Array(5), 2, 2)).toThrow(/2×2 = 4 values, got length 5/);
    expect(() => encodeMaskRle(new Uint8Array(0), 0, 0)).toThrow(/positive integers/);
  });

  it('reports a corrupt blob with a clear error', () => {
    const good = encodeMaskRle(noise(20 * 10, 4, 3), 20, 10);
    expectCorrupt(Uint8Array.of(1, 2, 3), 'magic');
    expectCorrupt(good.slice(0, good.length - 1), 'ends early');
    expectCorrupt(Uint8Array.of(...good, 0), 'trailing');
    const badVersion = good.slice();
    badVersion[2] = 9;
    expectCorrupt(badVersion, 'format version 9');
    // 2×2 binary map whose single run covers 5 pixels.
    expectCorrupt(Uint8Array.of(0x52, 0x4c, 1, 0, 2, 2, 1, 5), 'more than 2×2');
    // 2×2 binary map whose runs cover only 3 pixels.
    expectCorrupt(Uint8Array.of(0x52, 0x4c, 1, 0, 2, 2, 2, 1, 2), 'covering 3 of 4');
    expectCorrupt(Uint8Array.of(0x52, 0x4c, 1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), 'over-long varint');
  });
});
