import { describe, expect, it } from 'vitest';
import { CancelledError, isCancellation, throwIfCancelled } from './cancellation.ts';

describe('cancellation', () => {
  it('throws one CancelledError once the signal fired, carrying its reason, and nothing before', () => {
    const controller = new AbortController();
    expect(() => throwIfCancelled(controller.signal)).not.toThrow();
    expect(() => throwIfCancelled(undefined)).not.toThrow();
    controller.abort('user pressed Cancel');
    let thrown: unknown;
    try {
      throwIfCancelled(controller.signal);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CancelledError);
    expect((thrown as Error).cause).toBe('user pressed Cancel');
    expect(isCancellation(thrown)).toBe(true);
  });

  it("recognises the platform's own abort too, and nothing else", () => {
    const controller = new AbortController();
    controller.abort();
    let platform: unknown;
    try {
      controller.signal.throwIfAborted();
    } catch (error) {
      platform = error;
    }
    expect(isCancellation(platform)).toBe(true);
    expect(isCancellation(new Error('disk full'))).toBe(false);
  });
});
