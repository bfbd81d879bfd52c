import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { InflateLimitError, inflatePrefix, inflateWithin } from './boundedInflate.ts';

// MATLAB level-5 MAT-file reader and writer (real numeric N-d arrays), from MathWorks' "MAT-File Format" document:
// 128-byte header, then data elements (8-byte tag + data padded to 8 bytes, or a 4-byte "small data element"),
// variables as miMATRIX elements, optionally wrapped whole in zlib-compressed miCOMPRESSED elements.

/** Bad or unsupported MAT input: names the file (and the variable when known) and the problem. */
export class MatFileError extends Error {
  constructor(
    readonly code: 'NOT_MAT' | 'TRUNCATED' | 'CORRUPT' | 'UNSUPPORTED' | 'BAD_INPUT',
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'MatFileError';
  }
}

export type MatNumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';
export type MatClassName = MatNumericClass | 'logical' | 'char';

/** One variable. `data` holds prod(dims) values in column-major (MATLAB) order; char arrays hold UTF-16 code units. */
export interface MatArray {
  className: MatClassName;
  dims: number[];
  data: Float64Array;
}

/** A variable to write; `className` defaults to double (values must fit the class exactly). */
export interface MatEntry {
  name: string;
  dims: number[];
  data: Float64Array;
  className?: MatNumericClass;
}

export interface MatReadOptions {
  /** Skip cell, struct, object, sparse, function and complex variables instead of failing on them. */
  skipUnsupported?: boolean;
}

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18 } as const;

/** mxClass id → name; ids 1..5 and 16..17 are containers or special arrays we do not read. */
const CLASS_NAMES: Record<number, MatNumericClass | 'char'> = {
  4: 'char', 6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const UNSUPPORTED_CLASSES: Record<number, string> = {
  1: 'cell array', 2: 'struct', 3: 'MATLAB object', 5: 'sparse array', 16: 'function handle', 17: 'opaque object',
};
const CLASS_IDS: Record<MatNumericClass, number> = {
  double: 6, single: 7, int8: 8, uint8: 9, int16: 10, uint16: 11, int32: 12, uint32: 13, int64: 14, uint64: 15,
};
/** Element type used to store each class when writing, and the value range it accepts. */
const STORAGE: Record<MatNumericClass, { type: number; min: number; max: number; integer: boolean }> = {
  double: { type: MI.DOUBLE, min: -Infinity, max: Infinity, integer: false },
  single: { type: MI.SINGLE, min: -Infinity, max: Infinity, integer: false },
  int8: { type: MI.INT8, min: -128, max: 127, integer: true },
  uint8: { type: MI.UINT8, min: 0, max: 255, integer: true },
  int16: { type: MI.INT16, min: -32768, max: 32767, integer: true },
  uint16: { type: MI.UINT16, min: 0, max: 65535, integer: true },
  int32: { type: MI.INT32, min: -(2 ** 31), max: 2 ** 31 - 1, integer: true },
  uint32: { type: MI.UINT32, min: 0, max: 2 ** 32 - 1, integer: true },
  int64: { type: MI.INT64, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, integer: true },
  uint64: { type: MI.UINT64, min: 0, max: Number.MAX_SAFE_INTEGER, integer: true },
};
const ELEMENT_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4 };

const HEADER_BYTES = 128;

/**
 * Most bytes one compressed variable may inflate to: 64 MiB. The MAT files Correspond reads hold joint positions
 * and JHMDB puppet masks (a 10,000-frame clip's joints are 2.4 MB; a puppet mask of 150 frames at 854×480, as our
 * own JHMDB export writes it, 61 MB). A file that declares more is refused before it is inflated, and no element
 * inflates past what its own header declares.
 */
export const MAX_MAT_INFLATED_BYTES = 64 * 1024 * 1024;
/**
 * Compressed bytes inflated, in turn, to read the 8-byte tag at the start of a compressed element: a dynamic Huffman
 * table can take a few hundred bytes before the first output byte, and each step inflates to at most ~1000× its input.
 */
const TAG_PREFIX_INPUT_BYTES = [64, 1024, 16384];
const padTo8 = (n: number) => (n + 7) & ~7;

interface Element {
  type: number;
  dataOffset: number;
  byteLength: number;
  /** offset of the next element */
  next: number;
}

/** Cursor over one buffer in the file's byte order; every read is bounds-checked so truncation is reported, not thrown as RangeError. */
class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly file: string | undefined,
    readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(code: MatFileError['code'], message: string): never {
    throw new MatFileError(code, `${message} (${this.where})`, this.file);
  }

  element(offset: number, limit: number, isTopLevel = false): Element {
    if (offset + 8 > limit) this.fail('TRUNCATED', `file ends inside a data element tag at byte ${offset}`);
    const word = this.view.getUint32(offset, this.littleEndian);
    if (word >>> 16 !== 0) {
      // Small data element: type in the low half, byte count in the high half, up to 4 bytes of data inline.
      const byteLength = word >>> 16;
      if (byteLength > 4) this.fail('CORRUPT', `small data element at byte ${offset} claims ${byteLength} bytes`);
      return { type: word & 0xffff, dataOffset: offset + 4, byteLength, next: offset + 8 };
    }
    const byteLength = this.view.getUint32(offset + 4, this.littleEndian);
    const dataOffset = offset + 8;
    if (dataOffset + byteLength > limit) {
      this.fail('TRUNCATED', `data element at byte ${offset} needs ${byteLength} bytes, only ${limit - dataOffset} remain`);
    }
    // Compressed elements are not padded; everything else is padded to 8 bytes (the padding may be cut at EOF).
    const next = isTopLevel && word === MI.COMPRESSED ? dataOffset + byteLength : Math.min(limit, dataOffset + padTo8(byteLength));
    return { type: word, dataOffset, byteLength, next };
  }

  numbers(element: Element, what: string): Float64Array {
    const size = ELEMENT_BYTES[element.type];
    if (size === undefined) this.fail('UNSUPPORTED', `${what} is stored as element type ${element.type}, not a number type`);
    if (element.byteLength % size !== 0) this.fail('CORRUPT', `${what} has ${element.byteLength} bytes, not a multiple of ${size}`);
    const count = element.byteLength / size;
    const out = new Float64Array(count);
    const { view, littleEndian } = this;
    let at = element.dataOffset;
    for (let i = 0; i < count; i++, at += size) {
      switch (element.type) {
        case MI.INT8: out[i] = view.getInt8(at); break;
        case MI.UINT8: case MI.UTF8: out[i] = view.getUint8(at); break;
        case MI.INT16: out[i] = view.getInt16(at, littleEndian); break;
        case MI.UINT16: case MI.UTF16: out[i] = view.getUint16(at, littleEndian); break;
        case MI.INT32: out[i] = view.getInt32(at, littleEndian); break;
        case MI.UINT32: case MI.UTF32: out[i] = view.getUint32(at, littleEndian); break;
        case MI.SINGLE: out[i] = view.getFloat32(at, littleEndian); break;
        case MI.DOUBLE: out[i] = view.getFloat64(at, littleEndian); break;
        // 64-bit integers beyond 2^53 lose precision in a Float64Array; MATLAB data rarely needs more.
        case MI.INT64: out[i] = Number(view.getBigInt64(at, littleEndian)); break;
        case MI.UINT64: out[i] = Number(view.getBigUint64(at, littleEndian)); break;
      }
    }
    return out;
  }

  text(element: Element): string {
    return new TextDecoder('latin1').decode(this.bytes.subarray(element.dataOffset, element.dataOffset + element.byteLength));
  }
}

/** Reads one miMATRIX body; returns undefined for a skipped unsupported variable. */
function readMatrix(reader: Reader, start: number, end: number, options: MatReadOptions): { name: string; array?: MatArray } {
  const flagsElement = reader.element(start, end);
  if (flagsElement.type !== MI.UINT32 || flagsElement.byteLength !== 8) reader.fail('CORRUPT', 'array flags sub-element is malformed');
  const flags = reader.view.getUint32(flagsElement.dataOffset, reader.littleEndian);
  const classId = flags & 0xff;
  const isComplex = (flags & 0x800) !== 0;
  const isLogical = (flags & 0x200) !== 0;
  if (classId === 17) return unsupported(reader, options, '', 'opaque object');
  const dimsElement = reader.element(flagsElement.next, end);
  const dims = Array.from(reader.numbers(dimsElement, 'dimensions'));
  const nameElement = reader.element(dimsElement.next, end);
  const name = reader.text(nameElement);
  if (UNSUPPORTED_CLASSES[classId]) return unsupported(reader, options, name, UNSUPPORTED_CLASSES[classId]);
  const className = CLASS_NAMES[classId];
  if (!className) reader.fail('CORRUPT', `variable "${name}" has unknown class id ${classId}`);
  if (isComplex) return unsupported(reader, options, name, `complex ${className} array`);
  const count = dims.reduce((product, d) => product * d, 1);
  let data: Float64Array;
  if (count === 0 && nameElement.next >= end) data = new Float64Array(0);
  else {
    const realElement = reader.element(nameElement.next, end);
    data = realElement.type === MI.UTF8 && className === 'char' ? utf8CodeUnits(reader, realElement) : reader.numbers(realElement, `data of "${name}"`);
  }
  if (data.length !== count) reader.fail('CORRUPT', `variable "${name}" has ${data.length} values for dimensions ${dims.join('×')}`);
  return { name, array: { className: isLogical ? 'logical' : className, dims, data } };
}

function unsupported(reader: Reader, options: MatReadOptions, name: string, what: string): { name: string } {
  if (options.skipUnsupported) return { name };
  const label = name ? `variable "${name}" is a ${what}` : `a ${what} variable`;
  return reader.fail('UNSUPPORTED', `${label}; only real numeric, logical and char arrays can be read`);
}

function utf8CodeUnits(reader: Reader, element: Element): Float64Array {
  const text = new TextDecoder('utf-8').decode(reader.bytes.subarray(element.dataOffset, element.dataOffset + element.byteLength));
  return Float64Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * Inflates a miCOMPRESSED element within a budget: the tag at the start of its data declares the size of what it
 * holds, which is checked against MAX_MAT_INFLATED_BYTES before inflating, and inflating stops past that size.
 */
function inflateElement(reader: Reader, element: Element, offset: number): Uint8Array {
  const compressed = reader.bytes.subarray(element.dataOffset, element.dataOffset + element.byteLength);
  const where = `compressed element at byte ${offset}`;
  let limit: number;
  try {
    let head: Uint8Array = new Uint8Array(0);
    for (const inputBytes of TAG_PREFIX_INPUT_BYTES) {
      head = inflatePrefix(compressed, inputBytes, 'zlib');
      if (head.length >= 8 || inputBytes >= compressed.length) break;
    }
    if (head.length < 8) reader.fail('CORRUPT', `${where} is too short to hold a data element`);
    const word = new DataView(head.buffer, head.byteOffset, 8).getUint32(0, reader.littleEndian);
    const declared = word >>> 16 !== 0 ? 8 : 8 + padTo8(new DataView(head.buffer, head.byteOffset, 8).getUint32(4, reader.littleEndian));
    if (declared > MAX_MAT_INFLATED_BYTES) {
      reader.fail('UNSUPPORTED', `${where} declares ${declared} bytes; variables of more than ${MAX_MAT_INFLATED_BYTES / 2 ** 20} MiB are not read`);
    }
    limit = declared;
  } catch (error) {
    if (error instanceof MatFileError) throw error;
    return reader.fail('CORRUPT', `${where} does not inflate (${(error as Error).message})`);
  }
  try {
    return inflateWithin(compressed, limit, 'zlib');
  } catch (error) {
    if (error instanceof InflateLimitError) reader.fail('CORRUPT', `${where} inflates past the ${limit} bytes its data element declares (corrupt file or decompression bomb)`);
    return reader.fail('CORRUPT', `${where} does not inflate (${(error as Error).message})`);
  }
}

function readElements(reader: Reader, start: number, variables: Map<string, MatArray>, options: MatReadOptions): void {
  const limit = reader.bytes.length;
  let offset = start;
  while (offset < limit) {
    // A few zero bytes of trailing padding are not an element.
    if (limit - offset < 8 && reader.bytes.subarray(offset).every((b) => b === 0)) break;
    const element = reader.element(offset, limit, true);
    if (element.type === MI.COMPRESSED) {
      const inflated = inflateElement(reader, element, offset);
      readElements(new Reader(inflated, reader.littleEndian, reader.file, `inside the compressed element at byte ${offset}`), 0, variables, options);
    } else if (element.type === MI.MATRIX) {
      if (element.byteLength > 0) {
        const { name, array } = readMatrix(reader, element.dataOffset, element.dataOffset + element.byteLength, options);
        if (array) variables.set(name, array);
      }
    } else {
      reader.fail('UNSUPPORTED', `top-level data element of type ${element.type} at byte ${offset} is not a variable (miMATRIX)`);
    }
    offset = element.next;
  }
}

/** Parses MAT v5 bytes (either byte order) into its variables, in file order. */
export function decodeMatFile(bytes: Uint8Array, file?: string, options: MatReadOptions = {}): Map<string, MatArray> {
  const headerText = new TextDecoder('latin1').decode(bytes.subarray(0, 116));
  if (bytes.length < HEADER_BYTES) {
    if (headerText.startsWith('MATLAB')) throw new MatFileError('TRUNCATED', `file is ${bytes.length} bytes, shorter than the 128-byte MAT header`, file);
    throw new MatFileError('NOT_MAT', 'not a MAT file (too short for a MAT v5 header)', file);
  }
  const indicator = String.fromCharCode(bytes[126], bytes[127]);
  if (indicator !== 'IM' && indicator !== 'MI') {
    throw new MatFileError('NOT_MAT', 'not a MAT v5 file (no IM/MI byte-order mark at byte 126; MAT v4 files are not supported)', file);
  }
  const littleEndian = indicator === 'IM';
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, littleEndian);
  if (version === 0x0200) throw new MatFileError('UNSUPPORTED', 'MAT v7.3 (HDF5) files are not supported; save with -v7', file);
  if (version !== 0x0100) throw new MatFileError('NOT_MAT', `unknown MAT version 0x${version.toString(16)}`, file);
  const variables = new Map<string, MatArray>();
  readElements(new Reader(bytes, littleEndian, file, 'in the file'), HEADER_BYTES, variables, options);
  return variables;
}

export function readMatFile(file: string, options: MatReadOptions = {}): Map<string, MatArray> {
  return decodeMatFile(readFileSync(file), file, options);
}

/** Little-endian byte builder for the writer. */
class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  tag(type: number, byteLength: number): void {
    const tag = new DataView(new ArrayBuffer(8));
    tag.setUint32(0, type, true);
    tag.setUint32(4, byteLength, true);
    this.push(new Uint8Array(tag.buffer));
  }
  /** A full element: tag, data, zero padding to 8 bytes. */
  element(type: number, data: Uint8Array): void {
    this.tag(type, data.length);
    this.push(data);
    if (padTo8(data.length) > data.length) this.push(new Uint8Array(padTo8(data.length) - data.length));
  }
  concat(): Uint8Array {
    return Buffer.concat(this.chunks, this.length);
  }
}

function validateEntry(entry: MatEntry, seen: Set<string>): MatNumericClass {
  const className = entry.className ?? 'double';
  const where = `variable "${entry.name}"`;
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(entry.name)) {
    throw new MatFileError('BAD_INPUT', `${where}: a MATLAB name starts with a letter and has at most 63 letters, digits or underscores`);
  }
  if (seen.has(entry.name)) throw new MatFileError('BAD_INPUT', `${where} is given twice`);
  seen.add(entry.name);
  if (!STORAGE[className]) throw new MatFileError('BAD_INPUT', `${where}: unknown class "${className}"`);
  if (entry.dims.length < 2 || entry.dims.some((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31 - 1)) {
    throw new MatFileError('BAD_INPUT', `${where}: dims must be at least 2 whole numbers ≥ 0, got [${entry.dims.join(', ')}]`);
  }
  const count = entry.dims.reduce((product, d) => product * d, 1);
  if (count !== entry.data.length) {
    throw new MatFileError('BAD_INPUT', `${where}: dims ${entry.dims.join('×')} need ${count} values, data has ${entry.data.length}`);
  }
  const { min, max, integer } = STORAGE[className];
  if (integer) {
    const bad = entry.data.findIndex((v) => !Number.isInteger(v) || v < min || v > max);
    if (bad >= 0) throw new MatFileError('BAD_INPUT', `${where}: value ${entry.data[bad]} at index ${bad} is not a ${className}`);
  }
  return className;
}

function encodeValues(data: Float64Array, className: MatNumericClass): Uint8Array {
  const bytes = new Uint8Array(data.length * ELEMENT_BYTES[STORAGE[className].type]);
  const view = new DataView(bytes.buffer);
  const size = ELEMENT_BYTES[STORAGE[className].type];
  for (let i = 0, at = 0; i < data.length; i++, at += size) {
    const v = data[i];
    switch (className) {
      case 'double': view.setFloat64(at, v, true); break;
      case 'single': view.setFloat32(at, v, true); break;
      case 'int8': view.setInt8(at, v); break;
      case 'uint8': view.setUint8(at, v); break;
      case 'int16': view.setInt16(at, v, true); break;
      case 'uint16': view.setUint16(at, v, true); break;
      case 'int32': view.setInt32(at, v, true); break;
      case 'uint32': view.setUint32(at, v, true); break;
      case 'int64': view.setBigInt64(at, BigInt(v), true); break;
      case 'uint64': view.setBigUint64(at, BigInt(v), true); break;
    }
  }
  return bytes;
}

/** One variable as a complete miMATRIX element (tag included). */
function encodeMatrix(entry: MatEntry, className: MatNumericClass): Uint8Array {
  const body = new Writer();
  const flags = new DataView(new ArrayBuffer(8));
  flags.setUint32(0, CLASS_IDS[className], true);
  body.element(MI.UINT32, new Uint8Array(flags.buffer));
  const dims = new DataView(new ArrayBuffer(4 * entry.dims.length));
  entry.dims.forEach((d, i) => dims.setInt32(4 * i, d, true));
  body.element(MI.INT32, new Uint8Array(dims.buffer));
  body.element(MI.INT8, new TextEncoder().encode(entry.name));
  body.element(STORAGE[className].type, encodeValues(entry.data, className));
  const matrix = new Writer();
  matrix.tag(MI.MATRIX, body.length);
  matrix.push(body.concat());
  return matrix.concat();
}

/** MAT v5 bytes, little-endian; each variable zlib-compressed when `compress` (as MATLAB's default -v7). */
export function encodeMatFile(entries: MatEntry[], options: { compress?: boolean } = {}): Uint8Array {
  const out = new Writer();
  const header = new Uint8Array(HEADER_BYTES).fill(0x20);
  const text = `MATLAB 5.0 MAT-file, Platform: ${process.platform}, Created on: ${new Date().toUTCString()} by Correspond`;
  header.set(new TextEncoder().encode(text.slice(0, 116)));
  header.fill(0, 116, 124); // no subsystem data
  new DataView(header.buffer).setUint16(124, 0x0100, true);
  header[126] = 'I'.charCodeAt(0);
  header[127] = 'M'.charCodeAt(0);
  out.push(header);
  const seen = new Set<string>();
  for (const entry of entries) {
    const matrix = encodeMatrix(entry, validateEntry(entry, seen));
    if (options.compress) {
      const compressed = deflateSync(matrix);
      out.tag(MI.COMPRESSED, compressed.length);
      out.push(compressed);
    } else out.push(matrix);
  }
  return out.concat();
}

export function writeMatFile(file: string, entries: MatEntry[], options: { compress?: boolean } = {}): void {
  writeFileSync(file, encodeMatFile(entries, options));
}
