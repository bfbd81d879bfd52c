import type { Progress } from '../../src-main/core/api/contract.ts';
import type { CorrespondIpcBridge } from '../../src-preload/preloadApi.ts';
import type { ApiTransport, CallOutcome, ConnectionState, TransportCall } from './transport.ts';
import { clientErrorCodes } from './transport.ts';

/** The desktop app's transport: the preload's `window.correspondIpc` bridge (always connected). */
export class IpcTransport implements ApiTransport {
  private readonly progressListeners = new Map<number, (progress: Progress) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly bridge: CorrespondIpcBridge) {
    this.unsubscribe = bridge.onProgress((callId, progress) => this.progressListeners.get(callId)?.(progress));
  }

  readonly connectionState: ConnectionState = 'connected';

  onConnectionChange(): () => void {
    return () => {};
  }

  async call(call: TransportCall, onProgress: (progress: Progress) => void): Promise<CallOutcome> {
    this.progressListeners.set(call.id, onProgress);
    try {
      return await this.bridge.call(call.id, call.service, call.method, call.args);
    } catch (error) {
      // Only a broken bridge rejects; the envelope carries every engine error.
      return { ok: false, error: { code: clientErrorCodes.protocol, message: (error as Error).message } };
    } finally {
      this.progressListeners.delete(call.id);
    }
  }

  cancel(callId: number): void {
    this.bridge.cancel(callId);
  }

  close(): void {
    this.unsubscribe();
  }
}
