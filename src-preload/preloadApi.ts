import type { ApiErrorShape, Progress } from '../src-main/core/api/contract.ts';

/** What one call returns across IPC: errors travel as data, because Electron mangles rejected invoke() errors. */
export type IpcEnvelope = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

/**
 * The one object the preload exposes to the renderer as `window.correspondIpc` (contextBridge). The renderer's IPC
 * transport wraps it into the typed `CorrespondApi` proxy.
 */
export interface CorrespondIpcBridge {
  call(callId: number, service: string, method: string, args: unknown): Promise<IpcEnvelope>;
  cancel(callId: number): void;
  /** Subscribes to progress of long calls; returns the unsubscribe function. */
  onProgress(listener: (callId: number, progress: Progress) => void): () => void;
}
