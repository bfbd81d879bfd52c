import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './wireCodec.ts';

describe('wire codec', () => {
  it('round-trips JSON values with typed arrays of several kinds nested anywhere', () => {
    const message = {
      type: 'result',
      id: 7,
      value: {
        frame: { width: 3, height: 1, rgb: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
        list: [new Float32Array([0.5, -1.25]), 'text', null, { deep: new Int32Array([-3, 4, 5]) }],
      },
    };
    const decoded = decodeMessage(encodeMessage(message)) as typeof message;
    expect(decoded.value.frame.rgb).toBeInstanceOf(Uint8Array);
    expect(Array.from(decoded.value.frame.rgb)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(decoded.value.list[0] as Float32Array)).toEqual([0.5, -1.25]);
    expect(Array.from((decoded.value.list[3] as { deep: Int32Array }).deep)).toEqual([-3, 4, 5]);
    expect(decoded.value.list.slice(1, 3)).toEqual(['text', null]);
  });

  it('encodes a view on part of a larger buffer without leaking the rest', () => {
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    const decoded = decodeMessage(encodeMessage({ part: big.subarray(10, 13) })) as { part: Uint8Array };
    expect(Array.from(decoded.part)).toEqual([10, 11, 12]);
  });

  it('sends a subclass of a typed array (such as a Node Buffer from SQLite) as its standard type', () => {
    class Blob8 extends Uint8Array {}
    const decoded = decodeMessage(encodeMessage({ jpeg: new Blob8([255, 216, 255, 217]) })) as { jpeg: Uint8Array };
    expect(decoded.jpeg.constructor).toBe(Uint8Array);
    expect(Array.from(decoded.jpeg)).toEqual([255, 216, 255, 217]);
  });

  it('refuses a truncated message', () => {
    const bytes = encodeMessage({ data: new Uint8Array(64) });
    expect(() => decodeMessage(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
  });
});
