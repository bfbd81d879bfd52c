/** Every failure while loading, converting or running a feature model carries one of these codes. */
export type ModelErrorCode =
  | 'MODEL_SOURCE_MISSING'
  | 'MODEL_SOURCE_INVALID'
  | 'MODEL_UNSUPPORTED_LAYER'
  | 'MODEL_MISSING_WEIGHT'
  | 'MODEL_UNREADABLE'
  | 'MODEL_INVALID'
  | 'MODEL_NOT_STRIDE_8'
  | 'MODEL_BAD_FRAME'
  /** A checkpoint file ends before its structure does (interrupted download or copy). */
  | 'MODEL_TRUNCATED'
  /** A checkpoint's pickle names a Python global outside the allow-list; nothing is executed. */
  | 'MODEL_UNSAFE_PICKLE'
  /** A checkpoint's keys match no supported network (or not the one its preset expects). */
  | 'MODEL_UNKNOWN_ARCHITECTURE'
  /** A model registry file cannot be read or has the wrong shape. */
  | 'MODEL_REGISTRY_INVALID'
  /** A model id or name is not in the registry. */
  | 'MODEL_NOT_REGISTERED';

/** A model problem; the message names the file (when there is one) so the user can act on it. */
export class ModelError extends Error {
  readonly code: ModelErrorCode;
  /** The model or source file the error is about, when there is one. */
  readonly file: string | undefined;

  constructor(code: ModelErrorCode, message: string, file?: string, options?: { cause?: unknown }) {
    super(file === undefined ? message : `${file}: ${message}`, options);
    this.name = 'ModelError';
    this.code = code;
    this.file = file;
  }
}
