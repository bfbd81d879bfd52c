import type { Progress } from '../../src-main/core/api/contract.ts';
import {
  decodeMessage,
  encodeMessage,
  type ClientMessage,
  type ServerMessage,
} from '../../src-main/core/api/wireCodec.ts';
import {
  clientErrorCodes,
  type ApiTransport,
  type CallOutcome,
  type ConnectionState,
  type TransportCall,
} from './transport.ts';

/** The part of the DOM WebSocket this transport uses (tests pass a fake). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface WebSocketTransportOptions {
  url: string;
  createSocket?: (url: string) => WebSocketLike;
  /** First reconnect delay; doubles per failed attempt up to `maxReconnectDelayMs`. */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

interface PendingCall {
  call: TransportCall;
  sent: boolean;
  onProgress: (progress: Progress) => void;
  resolve: (outcome: CallOutcome) => void;
}

const socketOpen = 1;

/**
 * The browser host's transport: binary wire-codec frames over one WebSocket. Calls made while (re)connecting wait
 * and go out once the socket opens; calls in flight when it drops fail with CONNECTION_LOST, because the host
 * cancels a closed connection's calls (their results would never arrive).
 */
export class WebSocketTransport implements ApiTransport {
  private socket: WebSocketLike | undefined;
  private state: ConnectionState = 'connecting';
  private readonly pending = new Map<number, PendingCall>();
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private failedAttempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly createSocket: (url: string) => WebSocketLike;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WebSocketTransportOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.initialDelayMs = options.initialReconnectDelayMs ?? 250;
    this.maxDelayMs = options.maxReconnectDelayMs ?? 5000;
    this.connect();
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  call(call: TransportCall, onProgress: (progress: Progress) => void): Promise<CallOutcome> {
    if (this.closed) return Promise.resolve(connectionLost());
    return new Promise((resolve) => {
      const entry: PendingCall = { call, sent: false, onProgress, resolve };
      this.pending.set(call.id, entry);
      if (this.state === 'connected') this.sendCall(entry);
    });
  }

  cancel(callId: number): void {
    const entry = this.pending.get(callId);
    if (!entry) return;
    if (entry.sent) {
      this.send({ type: 'cancel', id: callId });
    } else {
      this.pending.delete(callId);
      entry.resolve({ ok: false, error: { code: clientErrorCodes.cancelled, message: 'Cancelled.' } });
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'closed by the app');
    this.failCalls(() => true);
  }

  /** Delay before the next reconnect attempt, in ms: exponential backoff with a ceiling. */
  reconnectDelayMs(): number {
    return Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.max(0, this.failedAttempts - 1));
  }

  private connect(): void {
    const socket = this.createSocket(this.options.url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.failedAttempts = 0;
      this.setState('connected');
      for (const entry of this.pending.values()) if (!entry.sent) this.sendCall(entry);
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => this.handleClose(socket);
    // An error is always followed by close, which does the work.
    socket.onerror = () => {};
  }

  private handleClose(socket: WebSocketLike): void {
    if (socket !== this.socket || this.closed) return;
    this.socket = undefined;
    this.failCalls((entry) => entry.sent);
    this.failedAttempts += 1;
    if (this.state === 'connected') this.setState('reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectDelayMs());
  }

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      if (!(data instanceof ArrayBuffer)) throw new Error('the host sent a text frame');
      message = decodeMessage(new Uint8Array(data)) as ServerMessage;
    } catch {
      return; // Not ours to answer; a broken frame cannot be matched to a call.
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    if (message.type === 'progress') {
      entry.onProgress(message.progress);
      return;
    }
    this.pending.delete(message.id);
    entry.resolve(message.type === 'result' ? { ok: true, value: message.value } : { ok: false, error: message.error });
  }

  private sendCall(entry: PendingCall): void {
    entry.sent = true;
    const { id, service, method, args } = entry.call;
    this.send({ type: 'call', id, service, method, args });
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === socketOpen) this.socket.send(encodeMessage(message));
  }

  private failCalls(shouldFail: (entry: PendingCall) => boolean): void {
    for (const [id, entry] of this.pending) {
      if (!shouldFail(entry)) continue;
      this.pending.delete(id);
      entry.resolve(connectionLost());
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

function connectionLost(): CallOutcome {
  return {
    ok: false,
    error: { code: clientErrorCodes.connectionLost, message: 'The connection to Correspond was lost. Try again.' },
  };
}
