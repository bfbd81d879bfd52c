/**
 * Binary message codec of the browser host's WebSocket (both ends use it; no Node or DOM APIs here).
 * A message is a JSON value that may contain typed arrays (frames, thumbnails, masks). Layout:
 *   [u32 LE header byte length][header: UTF-8 JSON][padding to 8][binary chunks, each starting on an 8-byte boundary]
 * In the header a typed array is replaced by `{"$bin": [typeName, byteOffset, length]}`.
 */
import type { Progress } from './contract.ts';

const typedArrays = {
  Uint8Array,
  Uint8ClampedArray,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedArrayName = keyof typeof typedArrays;

const align8 = (n: number) => (n + 7) & ~7;

/** The standard typed array a view is, subclasses included (Node's Buffer travels as a Uint8Array). */
function typedArrayName(value: ArrayBufferView): TypedArrayName | undefined {
  const name = value.constructor.name as TypedArrayName;
  if (name in typedArrays) return name;
  return (Object.keys(typedArrays) as TypedArrayName[]).find((key) => value instanceof typedArrays[key]);
}

export function encodeMessage(message: unknown): Uint8Array {
  const chunks: Uint8Array[] = [];
  let binaryLength = 0;
  const header = JSON.stringify(message, function replacer(this: unknown, key: string, value: unknown) {
    // JSON.stringify hands us the holder's raw property, so typed arrays are caught before their own toJSON.
    const raw = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(raw)) {
      const name = typedArrayName(raw);
      if (!name) throw new TypeError(`cannot encode ${raw.constructor.name}`);
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
      const offset = binaryLength;
      chunks.push(bytes);
      binaryLength = align8(binaryLength + bytes.byteLength);
      return { $bin: [name, offset, (raw as unknown as { length: number }).length] };
    }
    return value;
  });
  const headerBytes = new TextEncoder().encode(header ?? 'null');
  const binaryStart = align8(4 + headerBytes.byteLength);
  const out = new Uint8Array(binaryStart + binaryLength);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 4);
  let offset = binaryStart;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset = binaryStart + align8(offset - binaryStart + chunk.byteLength);
  }
  return out;
}

export function decodeMessage(data: Uint8Array): unknown {
  if (data.byteLength < 4) throw new Error('wire message too short');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > data.byteLength) throw new Error('wire message header is truncated');
  const header = new TextDecoder().decode(data.subarray(4, 4 + headerLength));
  const binaryStart = align8(4 + headerLength);
  return JSON.parse(header, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$bin' in value) {
      const [name, offset, length] = (value as { $bin: [TypedArrayName, number, number] }).$bin;
      const Type = typedArrays[name];
      if (!Type) throw new Error(`unknown typed array ${String(name)} in wire message`);
      const byteLength = length * Type.BYTES_PER_ELEMENT;
      const start = binaryStart + offset;
      if (start + byteLength > data.byteLength) throw new Error('wire message binary part is truncated');
      // Copy so the result is aligned and owns its memory.
      const copy = new Uint8Array(byteLength);
      copy.set(data.subarray(start, start + byteLength));
      return new Type(copy.buffer);
    }
    return value;
  });
}

/** Frames of the WebSocket protocol between the renderer and the browser host. */
export type ClientMessage =
  | { type: 'call'; id: number; service: string; method: string; args: unknown }
  | { type: 'cancel'; id: number };

export type ServerMessage =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: { code: string; message: string } }
  | { type: 'progress'; id: number; progress: Progress };
