import { beforeEach, describe, expect, it } from 'vitest';
import {
  endPropagationTiming, markFirstFrameReceived, markFrameLoaded, markOverlayDrawn, markPropagationClick, RECEIVED_MEASURE, SHOWN_MEASURE,
} from './propagationTiming.ts';

const count = (name: string) => performance.getEntriesByName(name, 'measure').length;

describe('first-frame timing of a propagation', () => {
  beforeEach(() => {
    endPropagationTiming();
    performance.clearMarks();
    performance.clearMeasures();
  });

  it('measures click → first frame received → its labels drawn, once per click', () => {
    markPropagationClick();
    markFirstFrameReceived(1);
    markFirstFrameReceived(2);
    expect(count(RECEIVED_MEASURE)).toBe(1);
    markOverlayDrawn(1); // drawn before its labels were loaded: the old labels, not the propagated ones
    expect(count(SHOWN_MEASURE)).toBe(0);
    markFrameLoaded(2);
    markOverlayDrawn(2);
    expect(count(SHOWN_MEASURE)).toBe(0);
    markFrameLoaded(1);
    markOverlayDrawn(1);
    markOverlayDrawn(1);
    expect(count(SHOWN_MEASURE)).toBe(1);
    expect(performance.getEntriesByName(SHOWN_MEASURE)[0].duration).toBeGreaterThanOrEqual(performance.getEntriesByName(RECEIVED_MEASURE)[0].duration);
  });

  it('records nothing shown when the run ends before its first frame is drawn, or without a click', () => {
    markFirstFrameReceived(1);
    expect(count(RECEIVED_MEASURE)).toBe(0);
    markPropagationClick();
    markFirstFrameReceived(4);
    endPropagationTiming();
    markFrameLoaded(4);
    markOverlayDrawn(4);
    expect(count(SHOWN_MEASURE)).toBe(0);
  });
});
