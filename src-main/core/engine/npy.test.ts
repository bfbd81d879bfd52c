import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from './engineError.ts';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from './npy.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('npy', () => {
  it('reads a float32 C-order array written by numpy', () => {
    const array = readNpy(join(fixtures, 'f4_2x3.npy'));
    expect(array.dtype).toBe('<f4');
    expect(array.shape).toEqual([2, 3]);
    expect(Array.from(array.data as Float32Array)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('reads uint8, int64 and 0-d float64 arrays', () => {
    expect(Array.from(readNpy(join(fixtures, 'u1_4.npy')).data as Uint8Array)).toEqual([0, 1, 254, 255]);
    const int64 = readNpy(join(fixtures, 'i8_2x2.npy'));
    expect(int64.dtype).toBe('<i8');
    expect(Array.from(int64.data as BigInt64Array)).toEqual([-3n, 2n ** 40n, 7n, 0n]);
    const scalar = readNpy(join(fixtures, 'f8_scalar.npy'));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([2.5]);
  });

  it('reads format versions 2 and 3 headers', () => {
    for (const name of ['f4_v2.npy', 'f4_v3.npy']) {
      const array = readNpy(join(fixtures, name));
      expect(array.shape).toEqual([1, 3]);
      expect(Array.from(array.data as Float32Array)).toEqual([1.5, -2, 3.25]);
    }
  });

  it('refuses Fortran order and big-endian data with a message naming the file', () => {
    expect(() => readNpy(join(fixtures, 'fortran.npy'))).toThrow(/fortran\.npy: Fortran-order/);
    expect(() => readNpy(join(fixtures, 'bigendian.npy'))).toThrow(/bigendian\.npy: unsupported dtype '>f4'/);
  });

  it('refuses files that are not .npy or are truncated', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]), 'x.npy')).toThrow(EngineError);
    const good = readFileSync(join(fixtures, 'f4_2x3.npy'));
    const error = (() => {
      try {
        decodeNpy(good.subarray(0, good.length - 4), 'cut.npy');
      } catch (e) {
        return e as EngineError;
      }
    })();
    expect(error?.code).toBe('BAD_NPY');
    expect(error?.message).toMatch(/cut\.npy: truncated data/);
  });

  it('writes arrays that read back identically with a 64-byte aligned header', () => {
    const directory = mkdtempSync(join(tmpdir(), 'npy-'));
    const file = join(directory, 'a.npy');
    const data = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    writeNpy(file, { shape: [2, 3, 2], data });
    const bytes = readFileSync(file);
    expect((10 + bytes.readUInt16LE(8)) % 64).toBe(0);
    const back = readNpy(file);
    expect(back.shape).toEqual([2, 3, 2]);
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(data));
    writeFileSync(join(directory, 'b.npy'), encodeNpy({ shape: [3], data: new Uint8Array([9, 8, 7]) }));
    expect(readNpy(join(directory, 'b.npy')).dtype).toBe('|u1');
  });
});
