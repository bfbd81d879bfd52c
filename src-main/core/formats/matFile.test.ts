import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMatFile, encodeMatFile, type MatEntry, MatFileError, readMatFile, writeMatFile } from './matFile.ts';

const sharedData = process.env.CORRESPOND_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const jhmdbMat = join(sharedData, 'jhmdb-sample/joint_positions/catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2/joint_positions.mat');
const python = '/usr/bin/python3';
const hasScipy = existsSync(python) && spawnSync(python, ['-c', 'import scipy.io'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'mat-file-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Independent byte builder (not the writer under test) for hand-made files in either byte order. */
function handMade(littleEndian: boolean, elements: Array<[type: number, bytes: number[]]>, matrixType = 14): Uint8Array {
  const body: number[] = [];
  const u32 = (v: number) => {
    const b = new DataView(new ArrayBuffer(4));
    b.setUint32(0, v, littleEndian);
    return Array.from(new Uint8Array(b.buffer));
  };
  for (const [type, bytes] of elements) {
    body.push(...u32(type), ...u32(bytes.length), ...bytes);
    while (body.length % 8 !== 0) body.push(0);
  }
  const header = new Array<number>(128).fill(0x20);
  Array.from('MATLAB 5.0 MAT-file, hand made').forEach((c, i) => (header[i] = c.charCodeAt(0)));
  header.splice(124, 4, ...(littleEndian ? [0x00, 0x01, 0x49, 0x4d] : [0x01, 0x00, 0x4d, 0x49]));
  return Uint8Array.from([...header, ...u32(matrixType), ...u32(body.length), ...body]);
}

function be(values: number[], bytesPer: 4 | 8, float: boolean, littleEndian: boolean): number[] {
  const view = new DataView(new ArrayBuffer(values.length * bytesPer));
  values.forEach((v, i) => {
    if (bytesPer === 8) view.setFloat64(i * 8, v, littleEndian);
    else if (float) view.setFloat32(i * 4, v, littleEndian);
    else view.setInt32(i * 4, v, littleEndian);
  });
  return Array.from(new Uint8Array(view.buffer));
}

const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

describe('MAT v5 writer and reader', () => {
  const entries: MatEntry[] = [
    { name: 'pos_img', dims: [2, 3, 2], data: Float64Array.from([1.5, -2, 3.25, 4, 5, 6e10, 7, 8, 9, 10, 11, Math.PI]) },
    { name: 'ids', dims: [1, 4], data: Float64Array.from([0, 255, 7, 1]), className: 'uint8' },
    { name: 'offsets', dims: [2, 2], data: Float64Array.from([-3, 2 ** 40, 0, -(2 ** 33)]), className: 'int64' },
    { name: 'w', dims: [1, 2], data: Float64Array.from([0.5, -1.25]), className: 'single' },
    { name: 'empty', dims: [0, 0], data: new Float64Array(0) },
  ];

  for (const compress of [false, true]) {
    it(`round-trips names, classes, N-d dims and column-major values (compress=${compress})`, () => {
      const file = join(scratch, `roundtrip-${compress}.mat`);
      writeMatFile(file, entries, { compress });
      const read = readMatFile(file);
      expect([...read.keys()]).toEqual(entries.map((e) => e.name));
      for (const entry of entries) {
        const array = read.get(entry.name)!;
        expect(array.className).toBe(entry.className ?? 'double');
        expect(array.dims).toEqual(entry.dims);
        expect(Array.from(array.data)).toEqual(Array.from(entry.data));
      }
    });
  }

  it('compresses repetitive data', () => {
    const big = [{ name: 'zeros', dims: [100, 100], data: new Float64Array(10000) }];
    expect(encodeMatFile(big, { compress: true }).length).toBeLessThan(encodeMatFile(big).length / 20);
  });

  it('refuses values that do not fit the class, bad names, and dims that disagree with the data', () => {
    expect(() => encodeMatFile([{ name: 'a', dims: [1, 1], data: Float64Array.of(256), className: 'uint8' }])).toThrow(/value 256 at index 0 is not a uint8/);
    expect(() => encodeMatFile([{ name: '1a', dims: [1, 1], data: Float64Array.of(1) }])).toThrow(/MATLAB name/);
    expect(() => encodeMatFile([{ name: 'a', dims: [2, 2], data: Float64Array.of(1) }])).toThrow(/need 4 values, data has 1/);
    expect(() => encodeMatFile([{ name: 'a', dims: [3], data: Float64Array.of(1, 2, 3) }])).toThrow(/at least 2/);
  });

  it('reads a big-endian (MI) file with a small-data-element name', () => {
    for (const littleEndian of [false, true]) {
      const bytes = handMade(littleEndian, [
        [6, be([6], 4, false, littleEndian).concat([0, 0, 0, 0])], // flags: mxDOUBLE
        [5, be([2, 2], 4, false, littleEndian)],
        [1, ascii('big_endian_name')],
        [9, be([1, 2, 3, 4.5], 8, true, littleEndian)],
      ]);
      // Rewrite the name as a small data element: tag word = (byteCount << 16) | miINT8, 4 data bytes.
      const small = handMade(littleEndian, [
        [6, be([6], 4, false, littleEndian).concat([0, 0, 0, 0])],
        [5, be([2, 2], 4, false, littleEndian)],
      ]);
      const smallName = new DataView(new ArrayBuffer(8));
      smallName.setUint32(0, (2 << 16) | 1, littleEndian);
      new Uint8Array(smallName.buffer).set(ascii('xy'), 4);
      const data = [...be([9], 4, false, littleEndian), ...be([32], 4, false, littleEndian), ...be([1, 2, 3, 4.5], 8, true, littleEndian)];
      const withSmall = Uint8Array.from([...small, ...new Uint8Array(smallName.buffer), ...data]);
      new DataView(withSmall.buffer).setUint32(132, withSmall.length - 136, littleEndian);
      expect(decodeMatFile(bytes).get('big_endian_name')).toEqual({ className: 'double', dims: [2, 2], data: Float64Array.from([1, 2, 3, 4.5]) });
      expect(decodeMatFile(withSmall).get('xy')?.data).toEqual(Float64Array.from([1, 2, 3, 4.5]));
    }
  });

  it('names the file and says what is wrong for non-MAT, truncated and cell/struct/complex content', () => {
    expect(() => decodeMatFile(new TextEncoder().encode('hello'), 'a.txt')).toThrow(/^a\.txt: not a MAT file/);
    expect(() => decodeMatFile(new Uint8Array(200), 'zeros.bin')).toThrow(/zeros\.bin: not a MAT v5 file/);
    const whole = encodeMatFile(entries);
    expect(() => decodeMatFile(whole.subarray(0, 180), 'cut.mat')).toThrow(MatFileError);
    expect(() => decodeMatFile(whole.subarray(0, 180), 'cut.mat')).toThrow(/^cut\.mat: data element at byte 128 needs \d+ bytes/);
    const cellFlags = be([1], 4, false, true).concat([0, 0, 0, 0]);
    const cell = handMade(true, [[6, cellFlags], [5, be([1, 1], 4, false, true)], [1, ascii('boxes')]]);
    expect(() => decodeMatFile(cell, 'cell.mat')).toThrow(/^cell\.mat: variable "boxes" is a cell array; only real numeric/);
    const struct = handMade(true, [[6, be([2], 4, false, true).concat([0, 0, 0, 0])], [5, be([1, 1], 4, false, true)], [1, ascii('info')]]);
    expect(() => decodeMatFile(struct, 'struct.mat')).toThrow(/variable "info" is a struct/);
    expect(decodeMatFile(struct, 'struct.mat', { skipUnsupported: true }).size).toBe(0);
    const complex = handMade(true, [[6, be([6 | 0x800], 4, false, true).concat([0, 0, 0, 0])], [5, be([1, 1], 4, false, true)], [1, ascii('z')], [9, be([1], 8, true, true)], [9, be([2], 8, true, true)]]);
    expect(() => decodeMatFile(complex, 'complex.mat')).toThrow(/variable "z" is a complex double array/);
  });

  describe.skipIf(!existsSync(jhmdbMat))('on the JHMDB sample (skipped: ../shared/data/jhmdb-sample absent)', () => {
    it('reads pos_img as a 2×15×40 double array of 1-based pixel coordinates, column-major', () => {
      const pos = readMatFile(jhmdbMat).get('pos_img')!;
      expect(pos.className).toBe('double');
      expect(pos.dims).toEqual([2, 15, 40]);
      // pos_img[:, 0, 0] = (286.5, 106.5) and pos_img[:, 1, 0] = (289.5, 128.5), as scipy.io.loadmat gives them.
      expect(Array.from(pos.data.subarray(0, 4))).toEqual([286.5, 106.5, 289.5, 128.5]);
    });
  });
});

describe.skipIf(!hasScipy)('MAT v5 files exchanged with scipy.io (skipped: /usr/bin/python3 has no scipy)', () => {
  function runPython(script: string, ...args: string[]): string {
    const run = spawnSync(python, ['-c', script, ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
    return run.stdout;
  }

  for (const compress of [false, true]) {
    it(`writes files scipy.io.loadmat reads with the same shapes, dtypes and values (compress=${compress})`, () => {
      const file = join(scratch, `to-scipy-${compress}.mat`);
      writeMatFile(
        file,
        [
          { name: 'cube', dims: [2, 3, 4], data: Float64Array.from({ length: 24 }, (_, i) => i * 0.5 - 3) },
          { name: 'labels', dims: [3, 1], data: Float64Array.of(1, 2, 65535), className: 'uint16' },
        ],
        { compress },
      );
      const report = JSON.parse(
        runPython(
          `import sys, json, scipy.io as s
m = s.loadmat(sys.argv[1])
print(json.dumps({k: {"shape": list(v.shape), "dtype": str(v.dtype), "values": v.flatten(order="F").tolist()} for k, v in m.items() if not k.startswith("__")}))`,
          file,
        ),
      );
      expect(report.cube).toEqual({ shape: [2, 3, 4], dtype: 'float64', values: Array.from({ length: 24 }, (_, i) => i * 0.5 - 3) });
      expect(report.labels).toEqual({ shape: [3, 1], dtype: 'uint16', values: [1, 2, 65535] });
    });

    it(`reads what scipy.io.savemat writes (do_compression=${compress})`, () => {
      const file = join(scratch, `from-scipy-${compress}.mat`);
      runPython(
        `import sys, numpy as np, scipy.io as s
s.savemat(sys.argv[1], {"a": np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8, "b": np.array([[-1, 2, -3]], dtype=np.int32), "c": np.float32([[1.5], [2.5]]), "name": "hi"}, do_compression=${compress ? 'True' : 'False'})`,
        file,
      );
      const read = readMatFile(file);
      // numpy C-order arange reshaped (2,3,4): element [i,j,k] = (12i + 4j + k)/8; column-major index = i + 2j + 6k.
      const expected = new Float64Array(24);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expected[i + 2 * j + 6 * k] = (12 * i + 4 * j + k) / 8;
      expect(read.get('a')).toEqual({ className: 'double', dims: [2, 3, 4], data: expected });
      expect(read.get('b')).toEqual({ className: 'int32', dims: [1, 3], data: Float64Array.of(-1, 2, -3) });
      expect(read.get('c')).toEqual({ className: 'single', dims: [2, 1], data: Float64Array.of(1.5, 2.5) });
      expect(String.fromCharCode(...read.get('name')!.data)).toBe('hi');
      expect(readFileSync(file).subarray(126, 128).toString('latin1')).toBe('IM');
    });
  }
});

describe('writeMatFile', () => {
  it('writes the bytes encodeMatFile produces, apart from the creation time in the header', () => {
    const file = join(scratch, 'same.mat');
    const entry = [{ name: 'x', dims: [1, 1], data: Float64Array.of(42) }];
    writeMatFile(file, entry);
    writeFileSync(join(scratch, 'same2.mat'), encodeMatFile(entry));
    expect(readFileSync(file).subarray(116)).toEqual(readFileSync(join(scratch, 'same2.mat')).subarray(116));
  });
});
