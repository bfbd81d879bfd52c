import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CALLER_GONE, toApiErrorShape } from '../core/api/apiError.ts';
import type { ApiDispatcher } from '../core/api/dispatcher.ts';
import type { Progress } from '../core/api/contract.ts';
import { type ClientMessage, decodeMessage, encodeMessage, type ServerMessage } from '../core/api/wireCodec.ts';
import { isPagePath, readStaticFile, staticRelativePath } from './staticFiles.ts';

export interface BrowserHostOptions {
  dispatcher: ApiDispatcher;
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Fixed token (tests); a random 32-byte token otherwise. */
  token?: string;
}

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Same policy as the Electron window: only our own scripts, our own WebSocket, no remote content. */
function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

const maxMessageBytes = 64 * 1024 * 1024;
const progressIntervalMs = 50;

/**
 * The browser host: serves the built renderer and binds the API contract over a WebSocket on 127.0.0.1.
 * Security: only loopback; the Host header must name our loopback address (DNS-rebinding guard); the page and the
 * socket need the random token; the socket refuses other origins.
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(32).toString('hex');
  let port = options.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const tokenMatches = (candidate: string | null) => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const server = createServer((request, response) => {
    void handleHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const baseHeaders = {
      'Content-Security-Policy': contentSecurityPolicy(port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
    };
    if (!allowedHosts().has(request.headers.host ?? '')) {
      response.writeHead(403, baseHeaders).end('Forbidden host.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, baseHeaders).end();
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    // Decide what is asked for once, on the decoded and normalised path, and use that both for the token check
    // and for the file served.
    const relative = staticRelativePath(url.pathname);
    if (relative === undefined) {
      response.writeHead(404, baseHeaders).end('Not found.');
      return;
    }
    const isPage = isPagePath(relative);
    if (isPage && !tokenMatches(url.searchParams.get('token'))) {
      response
        .writeHead(401, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Open the URL printed by `npx correspond serve` (it carries the access token).');
      return;
    }
    const file = await readStaticFile(options.rendererDir, isPage ? 'index.html' : relative);
    if (!file) {
      response.writeHead(404, baseHeaders).end('Not found.');
      return;
    }
    response.writeHead(200, {
      ...baseHeaders,
      'Content-Type': file.contentType,
      'Cache-Control': isPage ? 'no-store' : 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (!allowedHosts().has(request.headers.host ?? '')) return refuse('403 Forbidden');
    if (!allowedOrigins().has(request.headers.origin ?? '')) return refuse('403 Forbidden');
    if (url.pathname !== '/api' || !tokenMatches(url.searchParams.get('token'))) return refuse('401 Unauthorized');
    sockets.handleUpgrade(request, socket, head, (ws) => serveConnection(ws, options.dispatcher));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One renderer connection: calls run concurrently, each cancellable; closing the socket cancels what is running. */
function serveConnection(ws: WebSocket, dispatcher: ApiDispatcher): void {
  const running = new Map<number, AbortController>();
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(message));
  };

  ws.on('message', (data, isBinary) => {
    let message: ClientMessage;
    try {
      if (!isBinary) throw new Error('text frames are not part of the protocol');
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      message = decodeMessage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as ClientMessage;
    } catch {
      ws.close(1003, 'malformed message');
      return;
    }
    if (message?.type === 'cancel' && Number.isInteger(message.id)) {
      running.get(message.id)?.abort();
      return;
    }
    if (message?.type !== 'call' || !Number.isInteger(message.id) || running.has(message.id)) {
      ws.close(1008, 'malformed call');
      return;
    }
    void runCall(message);
  });

  async function runCall(call: Extract<ClientMessage, { type: 'call' }>): Promise<void> {
    const controller = new AbortController();
    running.set(call.id, controller);
    let lastProgressAt = 0;
    const onProgress = (progress: Progress) => {
      const now = Date.now();
      // Throttle, but always let the final step through so the bar reaches its end.
      if (now - lastProgressAt < progressIntervalMs && progress.done < progress.total) return;
      lastProgressAt = now;
      send({ type: 'progress', id: call.id, progress });
    };
    try {
      const value = await dispatcher.dispatch(call.service, call.method, call.args, {
        signal: controller.signal,
        onProgress,
      });
      send({ type: 'result', id: call.id, value: value ?? null });
    } catch (error) {
      send({ type: 'error', id: call.id, error: toApiErrorShape(error) });
    } finally {
      running.delete(call.id);
    }
  }

  ws.on('close', () => {
    for (const controller of running.values()) controller.abort(CALLER_GONE);
    running.clear();
  });
}
