import { crc32 } from 'node:zlib';
import { InflateLimitError, inflateWithin } from '../../formats/boundedInflate.ts';
import { ModelError } from '../modelError.ts';

/** One member of a zip archive; `read()` inflates (or slices) it on demand and checks its CRC-32. */
export interface ZipEntry {
  name: string;
  size: number;
  read(): Uint8Array;
}

/**
 * A deflated member may declare at most 1 MiB plus 64× its compressed size. Tensors deflate by a few percent, a
 * pickle by a few times; only a member built to explode (the deflate format allows ~1000×) declares more, and it
 * is refused before a byte is inflated. Inflating stops at the declared size whatever the header says.
 */
const MAX_DEFLATE_RATIO = 64;
const DEFLATE_RATIO_ALLOWANCE_BYTES = 1024 * 1024;

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** True when the bytes start like a zip archive (torch ≥1.6's default format). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The entries of a zip archive held in memory, from its central directory (zip64 included). Stored and deflated
 * members are supported — torch writes stored ones, re-zipped copies may deflate. Errors name `file`.
 */
export function readZipEntries(bytes: Uint8Array, file: string): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const truncated = (what: string): never => {
    throw new ModelError('MODEL_TRUNCATED', `the zip archive is incomplete (${what}); the file was probably cut short while downloading or copying`, file);
  };
  let end = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 0xffff); offset--) {
    if (view.getUint32(offset, true) === END_OF_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end < 0) truncated('no end-of-central-directory record');
  let entryCount = view.getUint16(end + 10, true);
  let directorySize = view.getUint32(end + 12, true);
  let directoryOffset = view.getUint32(end + 16, true);
  if ((entryCount === 0xffff || directoryOffset === 0xffffffff) && end >= 20 && view.getUint32(end - 20, true) === ZIP64_END_LOCATOR) {
    const zip64End = readUint64(view, end - 12, file);
    if (zip64End + 56 > bytes.length || view.getUint32(zip64End, true) !== ZIP64_END_OF_DIRECTORY) truncated('no zip64 end record');
    entryCount = readUint64(view, zip64End + 32, file);
    directorySize = readUint64(view, zip64End + 40, file);
    directoryOffset = readUint64(view, zip64End + 48, file);
  }
  if (directoryOffset + directorySize > bytes.length) truncated('the central directory lies beyond the end of the file');

  const entries = new Map<string, ZipEntry>();
  let offset = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== DIRECTORY_ENTRY) truncated(`central directory entry ${index} is missing`);
    const { entry, next } = directoryEntry(bytes, view, offset, file);
    entries.set(entry.name, entry);
    offset = next;
  }
  return entries;
}

/** The central directory record at `offset` (zip64 sizes included) and where the next one starts. */
function directoryEntry(bytes: Uint8Array, view: DataView, offset: number, file: string): { entry: ZipEntry; next: number } {
  const method = view.getUint16(offset + 10, true);
  const expectedCrc = view.getUint32(offset + 16, true);
  let compressedSize = view.getUint32(offset + 20, true);
  let size = view.getUint32(offset + 24, true);
  const nameLength = view.getUint16(offset + 28, true);
  const extraLength = view.getUint16(offset + 30, true);
  const commentLength = view.getUint16(offset + 32, true);
  let localOffset = view.getUint32(offset + 42, true);
  const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
  // Zip64 extended information: the 0xffffffff fields, in this order, follow in extra field 0x0001.
  let extra = offset + 46 + nameLength;
  const extraEnd = extra + extraLength;
  while (extra + 4 <= extraEnd) {
    const id = view.getUint16(extra, true);
    const length = view.getUint16(extra + 2, true);
    if (id === 0x0001) {
      let field = extra + 4;
      const next = (): number => {
        field += 8;
        return readUint64(view, field - 8, file);
      };
      if (size === 0xffffffff) size = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localOffset === 0xffffffff) localOffset = next();
    }
    extra += 4 + length;
  }
  const truncated = (what: string): never => {
    throw new ModelError('MODEL_TRUNCATED', `the zip archive is incomplete (${what}); the file was probably cut short while downloading or copying`, file);
  };
  const read = (): Uint8Array => {
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL_HEADER) truncated(`member ${name} has no local header`);
    const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compressedSize > bytes.length) truncated(`member ${name} ends beyond the end of the file`);
    const stored = bytes.subarray(dataStart, dataStart + compressedSize);
    let data: Uint8Array;
    if (method === 0) data = stored;
    else if (method === 8) data = inflateMember(stored, size, name, file);
    else throw new ModelError('MODEL_SOURCE_INVALID', `zip member ${name} uses compression method ${method}; only stored and deflate are read`, file);
    if (data.length !== size || crc32(data) !== expectedCrc) {
      throw new ModelError('MODEL_SOURCE_INVALID', `zip member ${name} fails its size/CRC-32 check (corrupt file)`, file);
    }
    return data;
  };
  return { entry: { name, size, read }, next: extraEnd + commentLength };
}

function inflateMember(stored: Uint8Array, declaredSize: number, name: string, file: string): Uint8Array {
  if (declaredSize > DEFLATE_RATIO_ALLOWANCE_BYTES + MAX_DEFLATE_RATIO * stored.length) {
    throw new ModelError('MODEL_SOURCE_INVALID', `zip member ${name} declares ${declaredSize} bytes from ${stored.length} compressed: no checkpoint compresses that well (corrupt file or decompression bomb)`, file);
  }
  try {
    return inflateWithin(stored, declaredSize, 'raw');
  } catch (cause) {
    if (cause instanceof InflateLimitError) {
      throw new ModelError('MODEL_SOURCE_INVALID', `zip member ${name} inflates past the ${declaredSize} bytes it declares (corrupt file or decompression bomb)`, file, { cause });
    }
    throw new ModelError('MODEL_SOURCE_INVALID', `zip member ${name} does not inflate: ${(cause as Error).message}`, file, { cause });
  }
}

function readUint64(view: DataView, offset: number, file: string): number {
  if (offset + 8 > view.byteLength) throw new ModelError('MODEL_TRUNCATED', 'the zip archive is incomplete (a zip64 field lies beyond the end)', file);
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ModelError('MODEL_SOURCE_INVALID', 'a zip64 field beyond 2^53', file);
  return Number(value);
}
