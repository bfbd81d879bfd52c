import { IpcTransport } from './ipcTransport.ts';
import type { ApiTransport } from './transport.ts';
import { WebSocketTransport } from './webSocketTransport.ts';

/** The WebSocket URL of the browser host that served this page; the page's `?token=` authorises the socket too. */
export function webSocketUrlOf(location: { host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return `ws://${location.host}/api?token=${encodeURIComponent(token)}`;
}

/** IPC inside the desktop app (the preload exposes `correspondIpc`), the browser host's WebSocket otherwise. */
export function createTransport(target: Window): ApiTransport {
  if (target.correspondIpc) return new IpcTransport(target.correspondIpc);
  return new WebSocketTransport({ url: webSocketUrlOf(target.location) });
}
