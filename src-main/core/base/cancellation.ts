/**
 * The one cancellation error of core: what a long call throws when its AbortSignal fires. Its name is `AbortError`,
 * the platform's own (fetch, `signal.throwIfAborted()`), so `isCancellation` also recognises those, and the API
 * boundary turns every one of them into `{ code: 'CANCELLED' }`.
 */
export class CancelledError extends Error {
  constructor(signal?: AbortSignal) {
    super('The operation was cancelled', { cause: signal?.reason });
    this.name = 'AbortError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(signal);
}

export function isCancellation(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
