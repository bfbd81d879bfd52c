import { describe, expect, it } from 'vitest';
import { encodeCommand, parseWorkerEvent } from './trainingProtocol.ts';

describe('parseWorkerEvent', () => {
  it('accepts a progress line with every field of the one progress shape', () => {
    const line = '{"type": "progress", "step": 3, "totalSteps": 10, "loss": -1.5, "imagesPerSecond": 2.5, "etaSeconds": 7.0}';
    expect(parseWorkerEvent(line)).toEqual({ type: 'progress', step: 3, totalSteps: 10, loss: -1.5, imagesPerSecond: 2.5, etaSeconds: 7 });
  });

  it('accepts a null loss, which the worker sends for a non-finite value', () => {
    const line = '{"type": "progress", "step": 1, "totalSteps": 2, "loss": null, "imagesPerSecond": 1, "etaSeconds": 1}';
    expect(parseWorkerEvent(line)).toMatchObject({ loss: null });
  });

  it('rejects a line that is not JSON as a malformed message quoting it', () => {
    expect(() => parseWorkerEvent('Traceback (most recent call last):')).toThrow(/not JSON: Traceback/);
    try {
      parseWorkerEvent('oops');
    } catch (error) {
      expect((error as { code: string }).code).toBe('MALFORMED_MESSAGE');
    }
  });

  it('rejects an unknown type and a missing field, naming them', () => {
    expect(() => parseWorkerEvent('{"type": "banana"}')).toThrow(/unknown type "banana"/);
    expect(() => parseWorkerEvent('{"type": "checkpoint", "step": 2}')).toThrow(/needs path: string/);
    expect(() => parseWorkerEvent('[1, 2]')).toThrow(/not a JSON object/);
  });

  it('rejects a finished message with a reason outside the protocol', () => {
    expect(() => parseWorkerEvent('{"type": "finished", "step": 2, "reason": "bored"}')).toThrow(/unknown reason "bored"/);
  });
});

describe('encodeCommand', () => {
  it('writes one JSON object per line', () => {
    expect(encodeCommand({ type: 'pause' })).toBe('{"type":"pause"}\n');
    expect(encodeCommand({ type: 'start', config: { steps: 3, checkpointDir: '/tmp/c' } })).toBe('{"type":"start","config":{"steps":3,"checkpointDir":"/tmp/c"}}\n');
  });
});
