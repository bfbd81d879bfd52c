import { createPinia, setActivePinia } from 'pinia';
import { createApp } from 'vue';
import type { CorrespondApi } from '../../src-main/core/api/contract.ts';
import { apiKey, transportKey } from '../api/apiInjection.ts';
import type { ApiTransport, ConnectionState } from '../api/transport.ts';

/** For store tests: an app that provides `api` (only the methods a test needs) and a transport stand-in. */
export function installStoresWith(api: Partial<{ [S in keyof CorrespondApi]: Partial<CorrespondApi[S]> }>) {
  const listeners = new Set<(state: ConnectionState) => void>();
  const transport = {
    connectionState: 'connected' as ConnectionState,
    onConnectionChange(listener: (state: ConnectionState) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    call: () => Promise.reject(new Error('stores must go through the api')),
    cancel() {},
    close() {},
  } as ApiTransport;
  const app = createApp({});
  app.provide(apiKey, api as CorrespondApi);
  app.provide(transportKey, transport);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return {
    setConnection(state: ConnectionState) {
      for (const listener of listeners) listener(state);
    },
  };
}

/** A promise the test settles by hand. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));
