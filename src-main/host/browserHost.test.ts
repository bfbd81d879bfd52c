import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiError } from '../core/api/apiError.ts';
import type { CallOptions, CorrespondApi } from '../core/api/contract.ts';
import { ApiDispatcher } from '../core/api/dispatcher.ts';
import { decodeMessage, encodeMessage, type ServerMessage } from '../core/api/wireCodec.ts';
import { type BrowserHost, startBrowserHost } from './browserHost.ts';

const token = 'a'.repeat(64);
const projectId = '11111111-2222-3333-4444-555555555555';

/** Services that answer deterministically; only what the host needs to be exercised. */
function fakeServices(): CorrespondApi {
  const unused = async () => {
    throw new ApiError('NOT_IMPLEMENTED_IN_FAKE', 'not used by this test');
  };
  return {
    app: { getInfo: unused as never },
    projects: {
      list: async () => [{ id: projectId, name: 'Demo', updatedAt: '2026-01-01T00:00:00.000Z', clipCount: 0 }],
      create: unused as never,
      get: unused as never,
      rename: unused as never,
      delete: unused as never,
    },
    clips: {
      // A long call that reports progress until it is cancelled.
      import: (_args: unknown, options: CallOptions = {}) =>
        new Promise((_resolve, reject) => {
          let step = 0;
          const timer = setInterval(() => options.onProgress?.({ done: ++step, total: 1000 }), 60);
          options.signal?.addEventListener('abort', () => {
            clearInterval(timer);
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          });
        }),
      remove: unused as never,
      getFrame: async (args: { frameIndex: number }) => ({
        frameIndex: args.frameIndex,
        width: 2,
        height: 1,
        rgb: Uint8Array.from([1, 2, 3, 4, 5, 6]),
      }),
      getThumbnails: unused as never,
    },
    files: { listDirectory: unused as never },
  } as unknown as CorrespondApi;
}

function httpGet(port: number, path: string, hostHeader = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: hostHeader } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(port: number, options: { origin?: string; tokenValue?: string } = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${options.tokenValue ?? token}`, {
    origin: options.origin ?? `http://127.0.0.1:${port}`,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessages(ws: WebSocket, until: (message: ServerMessage) => boolean): Promise<ServerMessage[]> {
  const seen: ServerMessage[] = [];
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = decodeMessage(new Uint8Array(data)) as ServerMessage;
      seen.push(message);
      if (until(message)) {
        ws.off('message', onMessage);
        resolve(seen);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('browser host', () => {
  let host: BrowserHost;

  beforeAll(async () => {
    const rendererDir = mkdtempSync(join(tmpdir(), 'correspond-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Correspond</title>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets/app.js'), 'console.log(1)');
    host = await startBrowserHost({ dispatcher: new ApiDispatcher(fakeServices()), rendererDir, port: 0, token });
  });
  afterAll(() => host.close());

  it('serves the page only with the token and with a strict content security policy', async () => {
    expect((await httpGet(host.port, '/')).status).toBe(401);
    expect((await httpGet(host.port, '/?token=wrong')).status).toBe(401);
    const page = await httpGet(host.port, `/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Correspond</title>');
    expect((await httpGet(host.port, '/assets/app.js')).status).toBe(200);
  });

  it('refuses requests whose Host header is not its loopback address (DNS rebinding)', async () => {
    expect((await httpGet(host.port, `/?token=${token}`, `evil.example:${host.port}`)).status).toBe(403);
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await httpGet(host.port, '/../../etc/passwd')).status).toBe(404);
    expect((await httpGet(host.port, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('refuses a WebSocket from another origin or without the token', async () => {
    await expect(connect(host.port, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(host.port, { tokenValue: 'nope' })).rejects.toThrow(/401/);
  });

  it('answers calls with typed arrays intact and reports validation errors as {code, message}', async () => {
    const ws = await connect(host.port);
    ws.send(encodeMessage({ type: 'call', id: 1, service: 'clips', method: 'getFrame', args: { projectId, clipId: projectId, frameIndex: 4 } }));
    const [result] = await nextMessages(ws, (m) => m.id === 1);
    expect(result.type).toBe('result');
    const frame = (result as { value: { rgb: Uint8Array; frameIndex: number } }).value;
    expect(frame.frameIndex).toBe(4);
    expect(Array.from(frame.rgb)).toEqual([1, 2, 3, 4, 5, 6]);

    ws.send(encodeMessage({ type: 'call', id: 2, service: 'clips', method: 'getFrame', args: { projectId, clipId: projectId, frameIndex: -1 } }));
    const [invalid] = await nextMessages(ws, (m) => m.id === 2);
    expect(invalid).toMatchObject({ type: 'error', error: { code: 'INVALID_ARGUMENT' } });

    ws.send(encodeMessage({ type: 'call', id: 3, service: 'projects', method: 'constructor', args: {} }));
    const [unknown] = await nextMessages(ws, (m) => m.id === 3);
    expect(unknown).toMatchObject({ type: 'error', error: { code: 'UNKNOWN_METHOD' } });
    ws.close();
  });

  it('streams progress of a long call and cancels it on request', async () => {
    const ws = await connect(host.port);
    ws.send(encodeMessage({ type: 'call', id: 9, service: 'clips', method: 'import', args: { projectId, sourcePath: '/tmp/x.mp4' } }));
    const progress = await nextMessages(ws, (m) => m.type === 'progress' && m.progress.done >= 2);
    expect(progress.every((m) => m.type === 'progress' && m.id === 9)).toBe(true);
    ws.send(encodeMessage({ type: 'cancel', id: 9 }));
    const rest = await nextMessages(ws, (m) => m.type !== 'progress');
    expect(rest.at(-1)).toMatchObject({ type: 'error', id: 9, error: { code: 'CANCELLED' } });
    ws.close();
  });
});
