import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from './apiClientError.ts';
import { createApiClient } from './createApiClient.ts';
import type { ApiTransport, CallOutcome, ConnectionState, TransportCall } from './transport.ts';

/** A transport whose calls the test answers by hand. */
class FakeTransport implements ApiTransport {
  readonly calls: { call: TransportCall; onProgress: (p: Progress) => void; settle: (o: CallOutcome) => void }[] = [];
  readonly cancelled: number[] = [];
  connectionState: ConnectionState = 'connected';
  call(call: TransportCall, onProgress: (progress: Progress) => void): Promise<CallOutcome> {
    return new Promise((settle) => this.calls.push({ call, onProgress, settle }));
  }
  cancel(callId: number): void {
    this.cancelled.push(callId);
  }
  onConnectionChange(): () => void {
    return () => {};
  }
  close(): void {}
  last() {
    return this.calls[this.calls.length - 1];
  }
}

describe('createApiClient', () => {
  it('turns a method call into one transport call naming the service, the method and the argument', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const result = api.projects.rename({ projectId: 'p1', name: 'Horses' });
    expect(transport.last().call).toEqual({ id: 1, service: 'projects', method: 'rename', args: { projectId: 'p1', name: 'Horses' } });
    transport.last().settle({ ok: true, value: { id: 'p1', name: 'Horses', updatedAt: 'now', clipCount: 0 } });
    await expect(result).resolves.toEqual({ id: 'p1', name: 'Horses', updatedAt: 'now', clipCount: 0 });
  });

  it('numbers calls uniquely and resolves each with its own outcome', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const first = api.app.getInfo();
    const second = api.projects.list();
    expect(transport.calls.map((c) => c.call.id)).toEqual([1, 2]);
    expect(transport.calls[0].call.args).toBeUndefined();
    transport.calls[1].settle({ ok: true, value: ['second'] });
    transport.calls[0].settle({ ok: true, value: 'first' });
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toEqual(['second']);
  });

  it('rejects with an ApiClientError carrying the engine error code and message', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const result = api.clips.import({ projectId: 'p1', sourcePath: '/tmp/fake.mp4' });
    transport.last().settle({ ok: false, error: { code: 'UNREADABLE_VIDEO', message: '/tmp/fake.mp4 is not a video.' } });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error).toMatchObject({ code: 'UNREADABLE_VIDEO', message: '/tmp/fake.mp4 is not a video.' });
  });

  it('passes progress messages of a long call to onProgress', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const seen: Progress[] = [];
    const result = api.clips.import({ projectId: 'p1', sourcePath: '/v.mp4' }, { onProgress: (p) => seen.push(p) });
    transport.last().onProgress({ done: 10, total: 100, message: 'Reading' });
    transport.last().onProgress({ done: 100, total: 100 });
    transport.last().settle({ ok: true, value: null });
    await result;
    expect(seen).toEqual([{ done: 10, total: 100, message: 'Reading' }, { done: 100, total: 100 }]);
  });

  it('sends a cancel for the running call when its signal aborts', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const controller = new AbortController();
    const result = api.clips.import({ projectId: 'p1', sourcePath: '/v.mp4' }, { signal: controller.signal });
    controller.abort();
    expect(transport.cancelled).toEqual([transport.last().call.id]);
    transport.last().settle({ ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } });
    const error = (await result.catch((e: unknown) => e)) as ApiClientError;
    expect(error.isCancelled).toBe(true);
  });

  it('does not send a call whose signal is already aborted', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const controller = new AbortController();
    controller.abort();
    await expect(api.clips.import({ projectId: 'p', sourcePath: '/v' }, { signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(transport.calls).toHaveLength(0);
  });

  it('stops listening to the signal once the call has finished', async () => {
    const transport = new FakeTransport();
    const api = createApiClient(transport);
    const controller = new AbortController();
    const result = api.clips.import({ projectId: 'p1', sourcePath: '/v.mp4' }, { signal: controller.signal });
    transport.last().settle({ ok: true, value: null });
    await result;
    controller.abort();
    expect(transport.cancelled).toEqual([]);
  });

  it('is not mistaken for a promise when a service is awaited', async () => {
    const api = createApiClient(new FakeTransport());
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
    expect((api.projects as unknown as { then?: unknown }).then).toBeUndefined();
  });
});
