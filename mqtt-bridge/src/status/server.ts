/**
 * The status page's HTTP side: the page's own files (shipped in the package, nothing from a CDN), the
 * state as JSON, a Server-Sent Events channel of patches, the cameras' latest snapshots, media files
 * from the media folder only, and cancel/retry for jobs.
 *
 * Security: on loopback without a token, only loopback Host names are answered (a web page elsewhere
 * cannot reach it through DNS rebinding); with a token, every request and the live channel must carry
 * it (Authorization: Bearer, or once as ?token= which sets an HttpOnly cookie for the page). Changes
 * (POST) also need a header a foreign page cannot send without a preflight we never grant.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureError, isLoopbackAddress, type JobEngine, type Logger, noopLogger } from '@camflow/core';
import { sameSecret } from '../shared/secret.js';
import type { StatusModel } from './model.js';

/** The page's files, shipped next to dist/ in the package. */
const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
  '.json': 'application/json',
};
const COOKIE = 'camflow_status';
const HEARTBEAT_MS = 15_000;
/** Patches are sent together every this often, so 100 cameras changing at once are one write per page. */
const FLUSH_MS = 50;

export interface StatusServerOptions {
  model: StatusModel;
  host: string;
  port: number;
  token?: string;
  engine?: JobEngine;
  mediaDir?: string;
  logger?: Logger;
}

export class StatusServer {
  readonly #o: StatusServerOptions;
  readonly #logger: Logger;
  #server: Server | undefined;
  readonly #clients = new Set<{ res: ServerResponse; queue: string[] }>();
  #flushTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #offPatch: (() => void) | undefined;

  constructor(options: StatusServerOptions) {
    this.#o = options;
    this.#logger = options.logger ?? noopLogger;
  }

  /** `http://host:port/` once listening (the port the OS chose for port 0). */
  get url(): string | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (address === undefined || address === null) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/`;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        this.#logger.debug(`status page: ${req.method ?? '?'} ${pathOf(req)}: ${ensureError(error).message}`);
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port, this.#o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#offPatch = this.#o.model.on('patch', (patch) => this.#queue(`event: patch\ndata: ${JSON.stringify(patch)}\n\n`));
    this.#heartbeat = setInterval(() => this.#queue(': keep-alive\n\n'), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  async stop(): Promise<void> {
    this.#offPatch?.();
    this.#offPatch = undefined;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    if (!this.#allowed(req, res, url)) return;
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'POST') {
      const job = /^\/api\/jobs\/([^/]+)\/(cancel|retry)$/.exec(path);
      if (job === null) return send(res, 404, 'application/json', '{"error":"not found"}');
      if (req.headers['x-camflow'] !== '1') return send(res, 403, 'application/json', '{"error":"missing X-Camflow header"}');
      return this.#jobAction(res, decodeURIComponent(job[1] ?? ''), job[2] as 'cancel' | 'retry');
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'application/json', '{"error":"method not allowed"}');
    const page = PAGE_FILES[path];
    if (page !== undefined) return this.#pageFile(res, page);
    if (path === '/api/state') return send(res, 200, 'application/json', JSON.stringify(this.#o.model.snapshot()));
    if (path === '/api/live') return this.#live(req, res);
    const snapshot = /^\/api\/cameras\/([^/]+)\/snapshot\.jpg$/.exec(path);
    if (snapshot !== null) {
      const jpeg = this.#o.model.latestSnapshot(decodeURIComponent(snapshot[1] ?? ''));
      return jpeg === undefined ? send(res, 404, 'application/json', '{"error":"no snapshot yet"}') : send(res, 200, 'image/jpeg', jpeg);
    }
    if (path.startsWith('/media/')) return this.#media(res, path.slice('/media/'.length));
    send(res, 404, 'application/json', '{"error":"not found"}');
  }

  /** Token (when set) or a loopback Host (when not); answers the refusal itself. */
  #allowed(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const token = this.#o.token;
    if (token === undefined) {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      if (isLoopbackAddress(host)) return true;
      send(res, 403, 'application/json', '{"error":"the status page answers loopback names only; set status.token to serve other names"}');
      return false;
    }
    const offered = bearer(req) ?? cookie(req, COOKIE) ?? url.searchParams.get('token') ?? undefined;
    if (offered !== undefined && sameSecret(offered, token)) {
      // The page's own requests (pictures, the live channel) then carry the cookie.
      if (url.searchParams.has('token')) res.setHeader('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      return true;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="camflow"');
    send(res, 401, 'application/json', '{"error":"a valid status token is required"}');
    return false;
  }

  async #pageFile(res: ServerResponse, page: { file: string; type: string }): Promise<void> {
    const body = await readFile(join(WEB_DIR, page.file));
    // Only this page's own files: no inline script, nothing from elsewhere.
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    send(res, 200, page.type, body);
  }

  #live(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: 2000\nevent: state\ndata: ${JSON.stringify(this.#o.model.snapshot())}\n\n`);
    const client = { res, queue: [] as string[] };
    this.#clients.add(client);
    req.on('close', () => this.#clients.delete(client));
  }

  #queue(chunk: string): void {
    if (this.#clients.size === 0) return;
    for (const client of this.#clients) client.queue.push(chunk);
    this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  #flush(): void {
    this.#flushTimer = undefined;
    for (const client of this.#clients) {
      if (client.queue.length === 0) continue;
      // A page that stopped reading is dropped rather than buffered without end.
      if (client.res.writableLength > 4 * 1024 * 1024) {
        client.res.destroy();
        this.#clients.delete(client);
        continue;
      }
      client.res.write(client.queue.join(''));
      client.queue = [];
    }
  }

  async #jobAction(res: ServerResponse, id: string, action: 'cancel' | 'retry'): Promise<void> {
    const engine = this.#o.engine;
    if (engine === undefined) return send(res, 409, 'application/json', '{"error":"no pipeline in this process"}');
    const job = action === 'cancel' ? await engine.cancel(id) : await engine.retry(id);
    if (job === undefined) return send(res, 404, 'application/json', JSON.stringify({ error: `no job ${id} that can be ${action === 'cancel' ? 'cancelled' : 'retried'}` }));
    send(res, 200, 'application/json', JSON.stringify({ id: job.id, state: job.state }));
  }

  /** A file under the media folder: no absolute paths, no `..`, and no symlink out of it. */
  async #media(res: ServerResponse, encoded: string): Promise<void> {
    const root = this.#o.mediaDir;
    let rel: string;
    try {
      rel = decodeURIComponent(encoded);
    } catch {
      return send(res, 400, 'application/json', '{"error":"bad path"}');
    }
    if (root === undefined || rel === '' || rel.includes('\0') || isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) {
      return send(res, 400, 'application/json', '{"error":"paths are relative to the media folder, without .."}');
    }
    const type = MEDIA_TYPES[extname(rel).toLowerCase()];
    if (type === undefined) return send(res, 404, 'application/json', '{"error":"not found"}');
    let real: string;
    try {
      const realRoot = await realpath(root);
      real = await realpath(join(root, rel));
      const inside = relative(realRoot, real);
      if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return send(res, 400, 'application/json', '{"error":"outside the media folder"}');
    } catch {
      return send(res, 404, 'application/json', '{"error":"not found"}');
    }
    const info = await stat(real);
    if (!info.isFile()) return send(res, 404, 'application/json', '{"error":"not found"}');
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': info.size });
    createReadStream(real).pipe(res);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') === true ? header.slice(7).trim() : undefined;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
