/**
 * A fake Ring cloud on loopback, following the endpoints and payloads ring-client-api 14.3.0 uses
 * (lib/rest-client.js). The library's hosts are hard-coded, so the client side rewrites its fetch to
 * this server (see core's useRingApiBase): the oauth token endpoint (password grant, 412 for 2FA, 400
 * for a wrong code, refresh_token grant with rotation, 401 for a revoked token) and the device
 * endpoints in fake-devices.ts, which need a valid access token, and live view (fake-live.ts: the
 * signalling ticket and WebSocket, and a WebRTC camera). Every other path answers 404 JSON: the
 * library retries unanswered requests forever.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeRingDevices, json } from './fake-devices.js';
import { FakeRingLiveView } from './fake-live.js';

export interface FakeRingCloudOptions {
  email: string;
  password: string;
  /** The 2FA code the account expects; undefined: no 2FA. */
  code?: string;
  /** Access token lifetime in seconds (`expires_in`). */
  expiresIn?: number;
}

export class FakeRingCloud {
  readonly options: FakeRingCloudOptions;
  /** Refresh tokens currently valid; a used one is rotated away, `revoke` empties it. */
  readonly validRefreshTokens = new Set<string>();
  /** Access tokens currently valid; `expireAccessTokens` empties it (the library then refreshes). */
  readonly validAccessTokens = new Set<string>();
  readonly requests: { method: string; path: string }[] = [];
  /** Devices, their event history and recordings. */
  readonly devices: FakeRingDevices;
  /** Live views (WebRTC) started through the signalling socket. */
  readonly live: FakeRingLiveView;
  private server: Server | undefined;
  private origin = '';

  constructor(options: FakeRingCloudOptions) {
    this.options = options;
    this.devices = new FakeRingDevices(() => this.origin);
    this.live = new FakeRingLiveView((id) => this.devices.devices.has(id));
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('upgrade', (req, socket, head) => this.live.upgrade(req, socket, head));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    await this.live.stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  revokeAll(): void {
    this.validRefreshTokens.clear();
    this.validAccessTokens.clear();
  }

  expireAccessTokens(): void {
    this.validAccessTokens.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && url.pathname === '/oauth/token') return this.token(req, text, res);
    if (this.devices.handleMedia(req, url, res)) return;
    const bearer = /^Bearer (.+)$/.exec(header(req, 'authorization'))?.[1];
    const known = /^\/(clients_api|snapshots|api\/v1)\//.test(url.pathname);
    if (known && (bearer === undefined || !this.validAccessTokens.has(bearer))) return json(res, 401, { error: 'invalid_token' });
    if (req.method === 'POST' && url.pathname === '/api/v1/clap/ticket/request/signalsocket') return json(res, 200, this.live.issueTicket());
    if (this.devices.handle(req, url, res)) return;
    json(res, 404, { error: 'not found', path: url.pathname });
  }

  private token(req: IncomingMessage, text: string, res: ServerResponse): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return json(res, 400, { error: 'invalid_request' });
    }
    if (body.client_id !== 'ring_official_android' || body.scope !== 'client') return json(res, 400, { error: 'invalid_client' });
    if (body.grant_type === 'password') {
      if (body.username !== this.options.email || body.password !== this.options.password) {
        return json(res, 401, { error: 'invalid_grant', error_description: 'invalid user credentials' });
      }
      const code = header(req, '2fa-code');
      if (this.options.code !== undefined) {
        if (code === '') return json(res, 412, { next_time_in_secs: 60, phone: '+xxxxxxx1234', tsv_state: 'sms' });
        if (code !== this.options.code) return json(res, 400, { error: 'Verification Code is invalid or expired' });
      }
      return this.issue(res);
    }
    if (body.grant_type === 'refresh_token' && typeof body.refresh_token === 'string') {
      if (!this.validRefreshTokens.delete(body.refresh_token)) {
        return json(res, 401, { error: 'invalid_grant', error_description: 'token is invalid or does not exists' });
      }
      return this.issue(res);
    }
    json(res, 400, { error: 'unsupported_grant_type' });
  }

  private issue(res: ServerResponse): void {
    const refresh = `rt-${randomBytes(12).toString('hex')}`;
    const access = `at-${randomBytes(12).toString('hex')}`;
    this.validRefreshTokens.add(refresh);
    this.validAccessTokens.add(access);
    json(res, 200, {
      access_token: access,
      expires_in: this.options.expiresIn ?? 3600,
      refresh_token: refresh,
      scope: 'client',
      token_type: 'Bearer',
    });
  }
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
