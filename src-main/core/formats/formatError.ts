import { throwIfCancelled } from '../base/cancellation.ts';

/** Why an export or import failed; the message names the file (or folder) and the problem. */
export type FormatErrorCode =
  | 'NOT_FOUND'
  | 'BAD_FILE'
  | 'MISMATCH'
  | 'UNSUPPORTED'
  | 'UNSAFE_PATH'
  | 'DESTINATION_EXISTS'
  | 'BAD_INPUT';

export class FormatError extends Error {
  constructor(
    readonly code: FormatErrorCode,
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(file ? `${file}: ${message}` : message, options);
    this.name = 'FormatError';
  }
}

/** Re-throws an error from a lower reader (PNG, MAT) as a FormatError that names `file`, unless it already does. */
export function asFormatError(error: unknown, file: string): FormatError {
  if (error instanceof FormatError) return error;
  const message = error instanceof Error ? error.message : String(error);
  // PngError / MatFileError already start with the file name when they were given one.
  const stripped = message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
  return new FormatError('BAD_FILE', stripped, file, { cause: error });
}

/**
 * For the frame loops of exporters: `await pause(signal)` yields to the event loop once `sliceMs` of work have
 * passed since the last yield, so the app keeps answering during a long export and a cancel can arrive, then
 * throws the cancellation error if it did.
 */
export function cancellableSlices(sliceMs = 20): (signal: AbortSignal | undefined) => Promise<void> {
  let sliceStart = performance.now();
  return async (signal) => {
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    throwIfCancelled(signal);
  };
}
