import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcChannels } from '../src-main/core/api/ipcChannels.ts';
import type { Progress } from '../src-main/core/api/contract.ts';
import type { CorrespondIpcBridge, IpcEnvelope } from './preloadApi.ts';

// The one object the renderer gets (house rule 2): three generic verbs, no per-method channels.
const bridge: CorrespondIpcBridge = {
  call: (callId, service, method, args) =>
    ipcRenderer.invoke(ipcChannels.call, { callId, service, method, args }) as Promise<IpcEnvelope>,
  cancel: (callId) => ipcRenderer.send(ipcChannels.cancel, callId),
  onProgress(listener) {
    const handler = (_event: IpcRendererEvent, callId: number, progress: Progress) => listener(callId, progress);
    ipcRenderer.on(ipcChannels.progress, handler);
    return () => ipcRenderer.off(ipcChannels.progress, handler);
  },
};

contextBridge.exposeInMainWorld('correspondIpc', bridge);
