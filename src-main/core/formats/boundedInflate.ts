import { constants, inflateRawSync, inflateSync } from 'node:zlib';

/** zlib streams (PNG, MAT) or raw deflate (zip members). */
export type DeflateFraming = 'zlib' | 'raw';

/** The inflated data is longer than the caller allowed: a decompression bomb or a header that lies. */
export class InflateLimitError extends Error {
  constructor(readonly limitBytes: number) {
    super(`inflates to more than ${limitBytes} bytes`);
    this.name = 'InflateLimitError';
  }
}

/**
 * Inflates `data` and stops as soon as the output passes `maxBytes`, so memory never grows past the limit (zlib
 * checks it per 16 KiB chunk). Throws InflateLimitError then, or zlib's own error for corrupt data.
 */
export function inflateWithin(data: Uint8Array, maxBytes: number, framing: DeflateFraming): Uint8Array {
  const inflate = framing === 'raw' ? inflateRawSync : inflateSync;
  try {
    return inflate(data, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new InflateLimitError(maxBytes);
    throw error;
  }
}

/**
 * The first bytes `data` inflates to (at most what `inputBytes` compressed bytes give), without inflating the rest:
 * enough to read a header stored inside the compressed stream before deciding how much to inflate.
 */
export function inflatePrefix(data: Uint8Array, inputBytes: number, framing: DeflateFraming): Uint8Array {
  const inflate = framing === 'raw' ? inflateRawSync : inflateSync;
  return inflate(data.subarray(0, inputBytes), { finishFlush: constants.Z_SYNC_FLUSH });
}
