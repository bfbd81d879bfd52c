import type { ApiErrorShape, Progress } from '../../src-main/core/api/contract.ts';

/** One API call as it travels: the client numbers calls, the transport carries them. */
export interface TransportCall {
  id: number;
  service: string;
  method: string;
  args: unknown;
}

/** How a call ended: errors travel as data so every transport reports them the same way. */
export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

/**
 * - `connecting`: the first connection is being made (calls wait for it).
 * - `connected`: calls go through.
 * - `reconnecting`: the connection dropped; calls wait, calls that were in flight failed with CONNECTION_LOST.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** Carries calls to the engine (browser host over WebSocket, or Electron over IPC). */
export interface ApiTransport {
  /** Resolves with the outcome; never rejects (transport failures come back as `{ ok: false }`). */
  call(call: TransportCall, onProgress: (progress: Progress) => void): Promise<CallOutcome>;
  /** Asks the engine to stop a running call; its outcome then arrives as CANCELLED (or its result, if too late). */
  cancel(callId: number): void;
  readonly connectionState: ConnectionState;
  /** Subscribes to connection changes; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/** Error codes the renderer itself produces (the engine's own codes come from its services). */
export const clientErrorCodes = {
  connectionLost: 'CONNECTION_LOST',
  cancelled: 'CANCELLED',
  protocol: 'PROTOCOL_ERROR',
} as const;
