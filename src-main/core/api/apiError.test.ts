import { describe, expect, it } from 'vitest';
import { CancelledError } from '../base/cancellation.ts';
import { toApiErrorShape } from './apiError.ts';

describe('errors at the API boundary', () => {
  it("turns core's cancellation and the platform's abort into CANCELLED, without a stack", () => {
    expect(toApiErrorShape(new CancelledError())).toEqual({ code: 'CANCELLED', message: 'Cancelled.' });
    const controller = new AbortController();
    controller.abort();
    expect(toApiErrorShape(controller.signal.reason)).toEqual({ code: 'CANCELLED', message: 'Cancelled.' });
  });
});
