import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src-main/core/api/contract.ts';
import type { CorrespondIpcBridge, IpcEnvelope } from '../../src-preload/preloadApi.ts';
import { IpcTransport } from './ipcTransport.ts';

function fakeBridge() {
  const progressListeners = new Set<(callId: number, progress: Progress) => void>();
  const calls: { callId: number; service: string; method: string; args: unknown; settle: (e: IpcEnvelope) => void; fail: (e: Error) => void }[] = [];
  const cancelled: number[] = [];
  const bridge: CorrespondIpcBridge = {
    call: (callId, service, method, args) =>
      new Promise((settle, fail) => calls.push({ callId, service, method, args, settle, fail })),
    cancel: (callId) => cancelled.push(callId),
    onProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
  };
  const emitProgress = (callId: number, progress: Progress) => progressListeners.forEach((l) => l(callId, progress));
  return { bridge, calls, cancelled, emitProgress, progressListeners };
}

describe('IpcTransport', () => {
  it('passes calls to the preload bridge and returns its envelope as the outcome', async () => {
    const fake = fakeBridge();
    const transport = new IpcTransport(fake.bridge);
    const outcome = transport.call({ id: 3, service: 'projects', method: 'get', args: { projectId: 'p' } }, () => {});
    expect(fake.calls[0]).toMatchObject({ callId: 3, service: 'projects', method: 'get', args: { projectId: 'p' } });
    fake.calls[0].settle({ ok: false, error: { code: 'NOT_FOUND', message: 'no project p' } });
    await expect(outcome).resolves.toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no project p' } });
  });

  it('routes progress to the call it belongs to, only while that call runs', async () => {
    const fake = fakeBridge();
    const transport = new IpcTransport(fake.bridge);
    const seen: Progress[] = [];
    const outcome = transport.call({ id: 1, service: 'clips', method: 'import', args: {} }, (p) => seen.push(p));
    fake.emitProgress(1, { done: 1, total: 4 });
    fake.emitProgress(2, { done: 3, total: 4 });
    fake.calls[0].settle({ ok: true, value: null });
    await outcome;
    fake.emitProgress(1, { done: 4, total: 4 });
    expect(seen).toEqual([{ done: 1, total: 4 }]);
  });

  it('forwards cancels and unsubscribes from progress when closed', () => {
    const fake = fakeBridge();
    const transport = new IpcTransport(fake.bridge);
    transport.cancel(9);
    expect(fake.cancelled).toEqual([9]);
    transport.close();
    expect(fake.progressListeners.size).toBe(0);
  });

  it('reports a broken bridge as a protocol error instead of rejecting', async () => {
    const fake = fakeBridge();
    const transport = new IpcTransport(fake.bridge);
    const outcome = transport.call({ id: 1, service: 'app', method: 'getInfo', args: undefined }, () => {});
    fake.calls[0].fail(new Error('An object could not be cloned.'));
    await expect(outcome).resolves.toEqual({ ok: false, error: { code: 'PROTOCOL_ERROR', message: 'An object could not be cloned.' } });
  });
});
