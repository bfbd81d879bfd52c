/** SQLite hands back Node Buffers; the contract promises plain Uint8Arrays (same memory, no copy). */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
