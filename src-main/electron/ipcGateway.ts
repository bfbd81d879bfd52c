import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CALLER_GONE, toApiErrorShape } from '../core/api/apiError.ts';
import type { ApiDispatcher } from '../core/api/dispatcher.ts';
import { ipcChannels } from '../core/api/ipcChannels.ts';
import type { IpcEnvelope } from '../../src-preload/preloadApi.ts';

/**
 * The only code that touches `ipcMain` (house rule 2). Every call is checked: it must come from the main frame of
 * one of our windows showing our own page; the service dispatcher then validates the method and its argument.
 */
export function setupIpcGateway(dispatcher: ApiDispatcher, isTrustedSender: (contents: WebContents, url: string) => boolean): () => void {
  const running = new Map<string, AbortController>();
  const keyOf = (contents: WebContents, callId: number) => `${contents.id}:${callId}`;

  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent) => {
    const frame = event.senderFrame;
    return frame !== null && frame === event.sender.mainFrame && isTrustedSender(event.sender, frame.url);
  };

  ipcMain.handle(ipcChannels.call, async (event, request: unknown): Promise<IpcEnvelope> => {
    if (!trusted(event)) return { ok: false, error: { code: 'FORBIDDEN', message: 'Call from an untrusted frame.' } };
    const { callId, service, method, args } = (request ?? {}) as Record<string, unknown>;
    if (typeof callId !== 'number' || !Number.isInteger(callId)) {
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'callId must be an integer.' } };
    }
    const key = keyOf(event.sender, callId);
    const controller = new AbortController();
    running.set(key, controller);
    const contents = event.sender;
    try {
      const value = await dispatcher.dispatch(service, method, args, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (!contents.isDestroyed()) contents.send(ipcChannels.progress, callId, progress);
        },
      });
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toApiErrorShape(error) };
    } finally {
      running.delete(key);
    }
  });

  const onCancel = (event: IpcMainEvent, callId: unknown) => {
    if (!trusted(event) || typeof callId !== 'number') return;
    running.get(keyOf(event.sender, callId))?.abort();
  };
  ipcMain.on(ipcChannels.cancel, onCancel);

  return () => {
    ipcMain.removeHandler(ipcChannels.call);
    ipcMain.off(ipcChannels.cancel, onCancel);
    for (const controller of running.values()) controller.abort(CALLER_GONE);
  };
}
