/**
 * Codes of everything that can go wrong around training. The first group comes from the Python worker
 * (resources/trainer), the second is raised on the main-process side.
 */
export type TrainingErrorCode =
  | 'BAD_COMMAND'
  | 'BAD_CONFIG'
  | 'NO_FRAMES'
  | 'BAD_FRAME'
  | 'BAD_INIT'
  | 'BAD_CHECKPOINT'
  | 'CHECKPOINT_FAILED'
  | 'EXPORT_FAILED'
  | 'CUDA_UNAVAILABLE'
  | 'LOSS_NOT_FINITE'
  | 'TRAINING_FAILED'
  | 'PYTHON_NOT_FOUND'
  | 'TORCH_MISSING'
  | 'SPAWN_FAILED'
  | 'WORKER_CRASHED'
  | 'WORKER_EXITED'
  | 'MALFORMED_MESSAGE'
  | 'PARITY_FAILED';

/** A training failure with a stable `code`; `file` names the offending file when there is one. */
export class TrainingError extends Error {
  constructor(
    readonly code: TrainingErrorCode,
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'TrainingError';
  }
}
