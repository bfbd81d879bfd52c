/** What went wrong while scoring results; `code` is stable for callers, `message` names the file and the problem. */
export type EvalErrorCode =
  | 'MISSING_FILE'
  | 'BAD_INPUT'
  | 'SIZE_MISMATCH'
  | 'TOO_MANY_OBJECTS'
  | 'FRAME_COUNT_MISMATCH'
  | 'CLASS_OUT_OF_RANGE';

export class EvalError extends Error {
  constructor(
    readonly code: EvalErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'EvalError';
  }
}
