/**
 * The desktop app's security decisions as plain functions (no `electron` import), so they are unit-tested without
 * the Electron binary; `main.ts` only wires them to Electron's events. The rules: the window shows exactly the
 * app's page, requests only the app's own files, never navigates, redirects, attaches webviews or opens windows,
 * and hands the system browser only https links to an allow-list of hosts. docs/ARCHITECTURE.md maps them to
 * Electron's security checklist.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Hosts whose https links (help, datasets, the project) the app may open in the system browser. */
export const externalLinkHosts: readonly string[] = ['github.com', 'davischallenge.org', 'pytorch.org', 'onnxruntime.ai', 'www.electronjs.org'];

/** Schemes the renderer may load besides its own files: in-memory images (CSP `img-src blob: data:`) and DevTools. */
const innerSchemes = new Set(['blob:', 'data:', 'devtools:']);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

export interface SecurityPolicy {
  /** file:// URL of the app's page (out/renderer/index.html). */
  readonly pageUrl: string;
  /** True only for the app's page itself (an in-page #fragment allowed): trusted IPC sender, allowed navigation. */
  isAppPage(url: string): boolean;
  /** Whether the renderer may load `url`: the app's own files under the renderer folder, blob:, data:, devtools:. */
  mayRequest(url: string): boolean;
  /** Whether a link may be handed to the system browser: https on an allow-listed host, no credentials or port. */
  mayOpenExternally(url: string): boolean;
}

/** The policy for the renderer built into `rendererDir` (its page is `index.html`). */
export function createSecurityPolicy(rendererDir: string, hosts: readonly string[] = externalLinkHosts): SecurityPolicy {
  const root = path.resolve(rendererDir);
  const pageUrl = pathToFileURL(path.join(root, 'index.html')).href;
  const allowedHosts = new Set(hosts.map((host) => host.toLowerCase()));

  const isAppPage = (url: string): boolean => {
    const parsed = parse(url);
    if (!parsed) return false;
    parsed.hash = '';
    return parsed.href === pageUrl;
  };

  const isAppFile = (parsed: URL): boolean => {
    if (parsed.host !== '' || parsed.search !== '') return false;
    let file: string;
    try {
      // Decodes %xx first, and refuses an encoded '/', so "%2e%2e" cannot climb out of the folder unseen.
      file = path.resolve(fileURLToPath(parsed));
    } catch {
      return false;
    }
    const relative = path.relative(root, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  };

  return {
    pageUrl,
    isAppPage,
    mayRequest(url) {
      const parsed = parse(url);
      if (!parsed) return false;
      if (parsed.protocol === 'file:') return isAppFile(parsed);
      return innerSchemes.has(parsed.protocol);
    },
    mayOpenExternally(url) {
      const parsed = parse(url);
      if (!parsed || parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '' || parsed.port !== '') return false;
      return allowedHosts.has(parsed.hostname);
    },
  };
}

/** What an Electron event handler receives first: the event it may cancel. */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's WebContents the guards use (structurally typed, so tests pass a fake). */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Guards one WebContents (every one Electron creates, via `web-contents-created`): navigation and redirects only
 * to the app's page, no <webview>, no new windows — an allow-listed https link goes to the system browser instead.
 */
export function guardWebContents(contents: GuardedContents, policy: SecurityPolicy, openExternal: (url: string) => void): void {
  const stayOnAppPage = (event: PreventableEvent, url: string) => {
    if (!policy.isAppPage(url)) event.preventDefault();
  };
  contents.on('will-navigate', stayOnAppPage);
  contents.on('will-redirect', stayOnAppPage);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (policy.mayOpenExternally(url)) openExternal(url);
    return { action: 'deny' };
  });
}
