import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { apiKey, transportKey } from './api/apiInjection.ts';
import { createApiClient } from './api/createApiClient.ts';
import { createTransport } from './api/createTransport.ts';
import App from './App.vue';
import './styles/theme.css';

// The composition root of the renderer: one transport (IPC in the desktop app, WebSocket in the browser host),
// one typed API over it, handed to the stores through provide/inject.
const transport = createTransport(window);
const app = createApp(App);
app.provide(transportKey, transport);
app.provide(apiKey, createApiClient(transport));
app.use(createPinia());
app.mount('#app');
