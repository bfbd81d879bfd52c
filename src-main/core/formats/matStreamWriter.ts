import { once } from 'node:events';
import { createDeflate } from 'node:zlib';
import type { FileSink } from './exportWriter.ts';
import { FormatError } from './formatError.ts';
import { encodeMatFile } from './matFile.ts';

// Streams one uint8 N-d variable into a MAT v5 file as a single miCOMPRESSED element (what MATLAB's default -v7
// save writes), so a H×W×T mask volume never sits in memory whole. Layout (MathWorks "MAT-File Format"):
// 128-byte header | miCOMPRESSED tag (type 15, byte count patched at the end) | zlib stream of:
//   miMATRIX tag | array flags (miUINT32 ×2: class uint8 = 9) | dims (miINT32) | name (miINT8) | data (miUINT8) | pad

const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MX_UINT8_CLASS = 9;
const padTo8 = (n: number) => (n + 7) & ~7;

function element(type: number, data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + padTo8(data.length));
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(data.length, 4);
  out.set(data, 8);
  return out;
}

export class MatUint8VolumeWriter {
  private readonly deflate = createDeflate();
  private readonly tagOffset: number;
  private compressedBytes = 0;
  private written = 0;
  private readonly total: number;
  private readonly done: Promise<unknown>;

  /** Starts the file: `dims` are MATLAB dims (column-major), e.g. [H, W, T]. */
  constructor(
    private readonly sink: FileSink,
    name: string,
    dims: number[],
  ) {
    this.total = dims.reduce((product, d) => product * d, 1);
    if (this.total > 0xffffffff - 64) throw new FormatError('BAD_INPUT', `variable "${name}" has ${this.total} bytes; MAT v5 holds at most 4 GB per variable`);
    sink.write(encodeMatFile([])); // the 128-byte header alone
    this.tagOffset = sink.bytesWritten;
    sink.write(new Uint8Array(8)); // miCOMPRESSED tag, patched in finish()
    this.deflate.on('data', (chunk: Buffer) => {
      this.compressedBytes += chunk.length;
      sink.write(chunk);
    });
    this.done = once(this.deflate, 'end');
    const flags = Buffer.alloc(8);
    flags.writeUInt32LE(MX_UINT8_CLASS, 0);
    const dimBytes = Buffer.alloc(4 * dims.length);
    dims.forEach((d, i) => dimBytes.writeInt32LE(d, 4 * i));
    const body = [element(MI_UINT32, flags), element(MI_INT32, dimBytes), element(MI_INT8, Buffer.from(name, 'ascii'))];
    const dataTag = Buffer.alloc(8);
    dataTag.writeUInt32LE(MI_UINT8, 0);
    dataTag.writeUInt32LE(this.total, 4);
    const matrixBytes = body.reduce((sum, part) => sum + part.length, 0) + 8 + padTo8(this.total);
    const matrixTag = Buffer.alloc(8);
    matrixTag.writeUInt32LE(MI_MATRIX, 0);
    matrixTag.writeUInt32LE(matrixBytes, 4);
    this.deflate.write(Buffer.concat([matrixTag, ...body, dataTag]));
  }

  /** Appends values in column-major order. */
  async write(values: Uint8Array): Promise<void> {
    this.written += values.length;
    if (this.written > this.total) throw new FormatError('BAD_INPUT', `more values than the ${this.total} the dims declare`);
    if (!this.deflate.write(values)) await once(this.deflate, 'drain');
  }

  async finish(): Promise<void> {
    if (this.written !== this.total) throw new FormatError('BAD_INPUT', `wrote ${this.written} of the ${this.total} values the dims declare`);
    const padding = padTo8(this.total) - this.total;
    if (padding > 0) this.deflate.write(new Uint8Array(padding));
    this.deflate.end();
    await this.done;
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(MI_COMPRESSED, 0);
    tag.writeUInt32LE(this.compressedBytes, 4);
    this.sink.patch(this.tagOffset, tag);
    this.sink.close();
  }
}

/** A row-major H×W frame in MATLAB's column-major order (the frame's slice of an H×W×T volume). */
export function toColumnMajor(values: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(values.length);
  let at = 0;
  for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) out[at++] = values[y * width + x];
  return out;
}
