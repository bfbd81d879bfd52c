import type { ApiErrorShape } from '../../src-main/core/api/contract.ts';

/** A failed API call as the UI sees it: the engine's stable `code` and a message meant for the user. */
export class ApiClientError extends Error implements ApiErrorShape {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }

  get isCancelled(): boolean {
    return this.code === 'CANCELLED';
  }
}

/** The message to show for anything a store caught. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
