/** The only IPC channel names of the app (used by the Electron gateway and the preload; no other channel strings). */
export const ipcChannels = {
  call: 'correspond:call',
  cancel: 'correspond:cancel',
  progress: 'correspond:progress',
} as const;
