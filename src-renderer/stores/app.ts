import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi, useTransport } from '../api/apiInjection.ts';
import type { ConnectionState } from '../api/transport.ts';

/** The engine the app talks to: its version, compute device and the state of the connection to it. */
export const useAppStore = defineStore('app', () => {
  const api = useApi();
  const transport = useTransport();
  const info = ref<AppInfo>();
  const infoError = ref<string>();
  const connectionState = ref<ConnectionState>(transport.connectionState);
  /** Bumped on every reconnect so screens can reload what failed while the connection was down. */
  const reconnectCount = ref(0);

  transport.onConnectionChange((state) => {
    if (state === 'connected' && connectionState.value === 'reconnecting') {
      reconnectCount.value += 1;
      // A call in flight when the connection dropped failed; ask again.
      if (!info.value) void loadInfo();
    }
    connectionState.value = state;
  });

  async function loadInfo(): Promise<void> {
    try {
      info.value = await api.app.getInfo();
      infoError.value = undefined;
    } catch (error) {
      infoError.value = errorMessage(error);
    }
  }

  return { info, infoError, connectionState, reconnectCount, loadInfo };
});
