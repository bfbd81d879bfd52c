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
