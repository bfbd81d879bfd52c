import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { app, BrowserWindow, session, shell } from 'electron';
import { createServices } from '../core/createServices.ts';
import { defaultLibraryDirectory } from '../core/store/projectLibrary.ts';
import { setupIpcGateway } from './ipcGateway.ts';
import { createSecurityPolicy, guardWebContents } from './securityPolicy.ts';

// out/main/index.js → the app root is two folders up.
const appRoot = resolve(import.meta.dirname, '../..');
const rendererIndex = join(appRoot, 'out/renderer/index.html');
// Every security decision is a tested pure function there; this file only wires them to Electron's events.
const policy = createSecurityPolicy(join(appRoot, 'out/renderer'));

/**
 * better-sqlite3 is a native module: node_modules holds the build for Node's ABI (CLI, browser host, tests), and
 * `npm start` (scripts/start-electron.mjs) builds a second copy for Electron's ABI, passed here by path.
 */
function electronSqliteBinding(): string | undefined {
  const path = process.env.CORRESPOND_SQLITE_BINDING;
  return path && existsSync(path) ? path : undefined;
}

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] } });
  });
  // No remote content and no other local file: the app loads only its own files.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !policy.mayRequest(details.url) }));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    backgroundColor: '#16181d',
    title: 'Correspond',
    show: false,
    webPreferences: {
      preload: join(appRoot, 'out/preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(rendererIndex);
  return window;
}

// Every WebContents (the window's and any other) gets the navigation, redirect, webview and new-window guards.
app.on('web-contents-created', (_event, contents) => guardWebContents(contents, policy, (url) => void shell.openExternal(url)));

void app.whenReady().then(() => {
  hardenSession();
  const services = createServices({
    libraryDirectory: process.env.CORRESPOND_HOME ?? defaultLibraryDirectory(),
    host: 'electron',
    appRoot,
    storeOptions: { nativeBinding: electronSqliteBinding() },
  });
  const disposeGateway = setupIpcGateway(services.dispatcher, (_contents, url) => policy.isAppPage(url));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('will-quit', () => {
    disposeGateway();
    services.dispose();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
