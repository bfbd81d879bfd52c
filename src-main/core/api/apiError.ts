import { isCancellation } from '../base/cancellation.ts';
import type { ApiErrorShape } from './contract.ts';

/**
 * The abort reason a binding gives a call's signal when its caller went away (the window closed or reloaded), as
 * opposed to the user's Cancel: a propagation run then ends as interrupted.
 */
export const CALLER_GONE = 'CALLER_GONE';

/** An error meant for the user: crosses the API boundary as `{ code, message }`. */
export class ApiError extends Error implements ApiErrorShape {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Turns anything thrown by core into the boundary shape. Errors from core modules carry a `code` (VideoError,
 * StoreError, PngError…) and a message that already names the file; anything else becomes INTERNAL without its stack.
 */
export function toApiErrorShape(error: unknown): ApiErrorShape {
  if (error instanceof Error) {
    if (isCancellation(error)) return { code: 'CANCELLED', message: 'Cancelled.' };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code)) return { code, message: error.message };
    return { code: 'INTERNAL', message: error.message || 'Unexpected error.' };
  }
  return { code: 'INTERNAL', message: String(error) };
}
