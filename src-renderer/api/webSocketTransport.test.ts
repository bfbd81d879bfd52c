import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeMessage, encodeMessage, type ClientMessage, type ServerMessage } from '../../src-main/core/api/wireCodec.ts';
import type { ConnectionState } from './transport.ts';
import { WebSocketTransport, type WebSocketLike } from './webSocketTransport.ts';

class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  readonly sent: ClientMessage[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: Uint8Array): void {
    this.sent.push(decodeMessage(data) as ClientMessage);
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  reply(message: ServerMessage): void {
    const bytes = encodeMessage(message);
    this.onmessage?.({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
  }
}

describe('WebSocketTransport', () => {
  let sockets: FakeSocket[];
  let transport: WebSocketTransport;
  const latest = () => sockets[sockets.length - 1];

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    transport = new WebSocketTransport({
      url: 'ws://127.0.0.1:5177/api?token=t',
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      initialReconnectDelayMs: 100,
      maxReconnectDelayMs: 400,
    });
  });
  afterEach(() => vi.useRealTimers());

  it('holds calls made while connecting and sends them as binary call frames once the socket opens', async () => {
    const outcome = transport.call({ id: 1, service: 'projects', method: 'list', args: undefined }, () => {});
    expect(latest().sent).toEqual([]);
    latest().open();
    expect(latest().binaryType).toBe('arraybuffer');
    expect(latest().sent).toEqual([{ type: 'call', id: 1, service: 'projects', method: 'list' }]);
    latest().reply({ type: 'result', id: 1, value: { rgb: new Uint8Array([1, 2, 3]) } });
    await expect(outcome).resolves.toEqual({ ok: true, value: { rgb: new Uint8Array([1, 2, 3]) } });
  });

  it('routes progress and error frames to the call with the matching id', async () => {
    latest().open();
    const progress: unknown[] = [];
    const outcome = transport.call({ id: 7, service: 'clips', method: 'import', args: {} }, (p) => progress.push(p));
    latest().reply({ type: 'progress', id: 7, progress: { done: 3, total: 10 } });
    latest().reply({ type: 'progress', id: 8, progress: { done: 9, total: 10 } });
    latest().reply({ type: 'error', id: 7, error: { code: 'UNREADABLE_VIDEO', message: 'bad.mp4 is not a video' } });
    expect(progress).toEqual([{ done: 3, total: 10 }]);
    await expect(outcome).resolves.toEqual({ ok: false, error: { code: 'UNREADABLE_VIDEO', message: 'bad.mp4 is not a video' } });
  });

  it('sends a cancel frame for a call in flight and drops a call not yet sent without sending it', async () => {
    const queued = transport.call({ id: 1, service: 'clips', method: 'import', args: {} }, () => {});
    transport.cancel(1);
    await expect(queued).resolves.toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    latest().open();
    expect(latest().sent).toEqual([]);
    void transport.call({ id: 2, service: 'clips', method: 'import', args: {} }, () => {});
    transport.cancel(2);
    expect(latest().sent).toEqual([
      { type: 'call', id: 2, service: 'clips', method: 'import', args: {} },
      { type: 'cancel', id: 2 },
    ]);
  });

  it('fails calls in flight when the connection drops, reconnects with growing delays and resumes', async () => {
    const states: ConnectionState[] = [];
    transport.onConnectionChange((state) => states.push(state));
    latest().open();
    const inFlight = transport.call({ id: 1, service: 'projects', method: 'list', args: undefined }, () => {});
    latest().drop();
    await expect(inFlight).resolves.toMatchObject({ ok: false, error: { code: 'CONNECTION_LOST' } });
    expect(transport.connectionState).toBe('reconnecting');

    const waiting = transport.call({ id: 2, service: 'projects', method: 'list', args: undefined }, () => {});
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    latest().drop(); // refused again: the next wait is longer
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(3);
    latest().open();
    expect(states).toEqual(['connected', 'reconnecting', 'connected']);
    expect(latest().sent).toEqual([{ type: 'call', id: 2, service: 'projects', method: 'list' }]);
    latest().reply({ type: 'result', id: 2, value: [] });
    await expect(waiting).resolves.toEqual({ ok: true, value: [] });
  });

  it('caps the reconnect delay', () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      latest().drop();
      vi.advanceTimersByTime(transport.reconnectDelayMs());
    }
    expect(transport.reconnectDelayMs()).toBe(400);
  });
});
