import { readFileSync, writeFileSync } from 'node:fs';
import { EngineError } from './engineError.ts';

/** NumPy dtype strings we read and write (little-endian or byte-order-free). */
export type NpyDtype = '<f4' | '<f8' | '|u1' | '|i1' | '<u2' | '<i2' | '<u4' | '<i4' | '<i8' | '<u8' | '|b1';

export type NpyData =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array;

/** A C-order N-d array: `data` is row-major over `shape`. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

const constructors: Record<NpyDtype, { bytes: number; make: (buffer: ArrayBuffer) => NpyData }> = {
  '<f4': { bytes: 4, make: (b) => new Float32Array(b) },
  '<f8': { bytes: 8, make: (b) => new Float64Array(b) },
  '|u1': { bytes: 1, make: (b) => new Uint8Array(b) },
  '|b1': { bytes: 1, make: (b) => new Uint8Array(b) },
  '|i1': { bytes: 1, make: (b) => new Int8Array(b) },
  '<u2': { bytes: 2, make: (b) => new Uint16Array(b) },
  '<i2': { bytes: 2, make: (b) => new Int16Array(b) },
  '<u4': { bytes: 4, make: (b) => new Uint32Array(b) },
  '<i4': { bytes: 4, make: (b) => new Int32Array(b) },
  '<i8': { bytes: 8, make: (b) => new BigInt64Array(b) },
  '<u8': { bytes: 8, make: (b) => new BigUint64Array(b) },
};

/** numpy writes one-byte types as '|u1' but also accepts '<u1'/'u1'; normalise those spellings. */
function normaliseDtype(descr: string): NpyDtype | undefined {
  const aliases: Record<string, NpyDtype> = { '<u1': '|u1', u1: '|u1', '<i1': '|i1', i1: '|i1', '<b1': '|b1', '?': '|b1', '|?': '|b1' };
  const dtype = aliases[descr] ?? descr;
  return dtype in constructors ? (dtype as NpyDtype) : undefined;
}

function parseHeader(text: string, file?: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new EngineError('BAD_NPY', `unreadable .npy header: ${text.trim()}`, file);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new EngineError('BAD_NPY', `bad shape in .npy header: (${shape[1]})`, file);
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

/** Parses .npy bytes (format versions 1, 2 and 3). Only C-order arrays of the dtypes in `NpyDtype`. */
export function decodeNpy(bytes: Uint8Array, file?: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new EngineError('BAD_NPY', 'not a .npy file (bad magic)', file);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new EngineError('BAD_NPY', 'truncated .npy header', file);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new EngineError('UNSUPPORTED_NPY', `unsupported .npy format version ${major}.${bytes[7]}`, file);
  }
  if (headerStart + headerLength > bytes.length) throw new EngineError('BAD_NPY', 'truncated .npy header', file);
  const encoding = major === 3 ? 'utf-8' : 'latin1';
  const header = new TextDecoder(encoding).decode(bytes.subarray(headerStart, headerStart + headerLength));
  const { descr, fortranOrder, shape } = parseHeader(header, file);
  if (fortranOrder) throw new EngineError('UNSUPPORTED_NPY', 'Fortran-order arrays are not supported (save with C order)', file);
  const dtype = normaliseDtype(descr);
  if (!dtype) throw new EngineError('UNSUPPORTED_NPY', `unsupported dtype '${descr}' (big-endian, complex, strings and objects are refused)`, file);
  const { bytes: itemBytes, make } = constructors[dtype];
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const needed = count * itemBytes;
  if (bytes.length - dataStart < needed) {
    throw new EngineError('BAD_NPY', `truncated data: shape (${shape.join(', ')}) needs ${needed} bytes, file has ${bytes.length - dataStart}`, file);
  }
  // Copy into a fresh aligned buffer: the payload offset is not necessarily a multiple of the item size.
  const buffer = new ArrayBuffer(needed);
  new Uint8Array(buffer).set(bytes.subarray(dataStart, dataStart + needed));
  return { dtype, shape, data: make(buffer) };
}

export function readNpy(file: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new EngineError('BAD_NPY', `cannot read file (${(error as Error).message})`, file);
  }
  return decodeNpy(bytes, file);
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint32Array) return '<u4';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof BigInt64Array) return '<i8';
  return '<u8';
}

/** Encodes a C-order array as .npy version 1.0 (header padded so the data starts on a 64-byte boundary). */
export function encodeNpy(array: { shape: number[]; data: NpyData; dtype?: NpyDtype }): Uint8Array {
  const dtype = array.dtype ?? dtypeOf(array.data);
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new EngineError('BAD_ARGUMENT', `shape (${array.shape.join(', ')}) holds ${count} values but data has ${array.data.length}`);
  }
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

export function writeNpy(file: string, array: { shape: number[]; data: NpyData; dtype?: NpyDtype }): void {
  writeFileSync(file, encodeNpy(array));
}
