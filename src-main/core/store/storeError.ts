/** Every failure of the project store carries one of these codes; the service layer maps them to `{ code, message }`. */
export type StoreErrorCode =
  | 'NOT_A_PROJECT'
  | 'SCHEMA_TOO_NEW'
  | 'MIGRATION_FAILED'
  | 'ALREADY_EXISTS'
  | 'NOT_FOUND'
  | 'INVALID_INPUT'
  | 'CONSTRAINT'
  | 'CORRUPT_DATA'
  | 'CLOSED'
  /** An undo or redo asked while a propagation run of the clip is still writing. */
  | 'BUSY';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The project file (or library directory) the error is about, when there is one. */
  readonly file: string | undefined;

  constructor(code: StoreErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
    this.file = file;
  }
}
