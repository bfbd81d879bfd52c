// The desktop app's security decisions, tested without the Electron binary (main.ts only wires them to events).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSecurityPolicy, type GuardedContents, guardWebContents, type PreventableEvent } from './securityPolicy.ts';

const rendererDir = path.resolve('/opt/correspond/out/renderer');
const policy = createSecurityPolicy(rendererDir);
const page = pathToFileURL(path.join(rendererDir, 'index.html')).href;
const fileOf = (relative: string) => pathToFileURL(path.join(rendererDir, relative)).href;

describe('the app page (trusted IPC sender, allowed navigation)', () => {
  it('is exactly out/renderer/index.html, with or without an in-page #route', () => {
    expect(policy.pageUrl).toBe(page);
    expect(policy.isAppPage(page)).toBe(true);
    expect(policy.isAppPage(`${page}#/project/1/clip/2?frame=3`)).toBe(true);
  });

  it('is not any URL that merely starts with the page URL', () => {
    expect(policy.isAppPage(`${page}.evil.html`)).toBe(false);
    expect(policy.isAppPage(`${page}/../../../../etc/passwd`)).toBe(false);
    expect(policy.isAppPage(`${page}?inject=1`)).toBe(false);
    expect(policy.isAppPage(`${pathToFileURL(`${rendererDir}-other`).href}/index.html`)).toBe(false);
    expect(policy.isAppPage(fileOf('assets/app.js'))).toBe(false);
  });

  it('is not the same path on another host, scheme or spelled with escapes', () => {
    expect(policy.isAppPage(page.replace('file:///', 'file://attacker.example/'))).toBe(false);
    expect(policy.isAppPage(page.replace('index.html', '%69ndex.html'))).toBe(false);
    expect(policy.isAppPage(page.replace('file:', 'https:'))).toBe(false);
    expect(policy.isAppPage('not a url')).toBe(false);
  });
});

describe('what the renderer may request', () => {
  it("allows the app's own files and in-memory images", () => {
    expect(policy.mayRequest(page)).toBe(true);
    expect(policy.mayRequest(fileOf('assets/index-3f2a.js'))).toBe(true);
    expect(policy.mayRequest('blob:file:///2b1c-77aa')).toBe(true);
    expect(policy.mayRequest('data:image/png;base64,iVBORw0KGgo=')).toBe(true);
    expect(policy.mayRequest('devtools://devtools/bundled/inspector.html')).toBe(true);
  });

  it('refuses every other local file, however the path is spelled', () => {
    expect(policy.mayRequest('file:///etc/passwd')).toBe(false);
    expect(policy.mayRequest(pathToFileURL(path.join(rendererDir, '..', 'main', 'index.js')).href)).toBe(false);
    expect(policy.mayRequest(`${fileOf('assets')}/%2e%2e/%2e%2e/main/index.js`)).toBe(false);
    expect(policy.mayRequest(`${fileOf('assets')}/..%2f..%2fmain%2findex.js`)).toBe(false);
    expect(policy.mayRequest(`${pathToFileURL(`${rendererDir}-evil`).href}/x.js`)).toBe(false);
    expect(policy.mayRequest(fileOf('assets/app.js').replace('file:///', 'file://fileserver/'))).toBe(false);
    expect(policy.mayRequest(pathToFileURL(rendererDir).href)).toBe(false);
  });

  it('refuses remote content of any scheme', () => {
    for (const url of ['https://example.com/x.js', 'http://127.0.0.1:5173/', 'ws://127.0.0.1/api', 'ftp://example.com/', 'javascript:alert(1)', '']) {
      expect(policy.mayRequest(url), url).toBe(false);
    }
  });
});

describe('links handed to the system browser', () => {
  it('opens https links to allow-listed hosts only', () => {
    expect(policy.mayOpenExternally('https://github.com/some/repo')).toBe(true);
    expect(policy.mayOpenExternally('https://davischallenge.org/davis2017/code.html')).toBe(true);
  });

  it('refuses other hosts, look-alikes, other schemes, credentials and ports', () => {
    for (const url of [
      'https://evil.example/',
      'https://github.com.evil.example/',
      'https://evilgithub.com/',
      'http://github.com/',
      'file:///etc/passwd',
      'smb://github.com/share',
      'javascript:alert(1)',
      'https://user:pass@github.com/',
      'https://github.com@evil.example/',
      'https://github.com:8443/',
      'not a url',
    ]) {
      expect(policy.mayOpenExternally(url), url).toBe(false);
    }
  });
});

/** A stand-in for Electron's WebContents: records its window-open handler and emits events. */
class FakeContents extends EventEmitter implements GuardedContents {
  openHandler?: (details: { url: string }) => { action: 'deny' };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Emits `name` and says whether a guard cancelled it. */
  fire(name: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url?: string): boolean {
    let prevented = false;
    const event: PreventableEvent = { preventDefault: () => (prevented = true) };
    this.emit(name, event, url);
    return prevented;
  }
}

describe('guards on every web contents', () => {
  const guarded = () => {
    const contents = new FakeContents();
    const opened: string[] = [];
    guardWebContents(contents, policy, (url) => opened.push(url));
    return { contents, opened };
  };

  it('cancels navigation and redirects away from the app page, and keeps those to it', () => {
    const { contents } = guarded();
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', `${page}.evil.html`)).toBe(true);
    expect(contents.fire('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-navigate', `${page}#/projects`)).toBe(false);
    expect(contents.fire('will-redirect', page)).toBe(false);
  });

  it('never attaches a <webview>', () => {
    expect(guarded().contents.fire('will-attach-webview')).toBe(true);
  });

  it('never opens a window; an allow-listed https link goes to the system browser instead', () => {
    const { contents, opened } = guarded();
    expect(contents.openHandler?.({ url: 'https://github.com/x' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler?.({ url: page })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/x']);
  });
});
