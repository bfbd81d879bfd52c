/** Codes for everything the engine refuses; `file` names the offending file when there is one. */
export type EngineErrorCode =
  | 'BAD_NPY'
  | 'UNSUPPORTED_NPY'
  | 'BAD_LABELS'
  | 'BAD_FEATURES'
  | 'BAD_ARGUMENT'
  | 'NO_KEYFRAME'
  | 'WORKER_FAILED';

/** Bad engine input: the message says what is wrong (and with which file). */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'EngineError';
  }
}
