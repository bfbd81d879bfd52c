/// <reference types="vite/client" />
import type { CorrespondIpcBridge } from '../src-preload/preloadApi.ts';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Present only inside the desktop app (exposed by the preload through contextBridge). */
    correspondIpc?: CorrespondIpcBridge;
  }
}
