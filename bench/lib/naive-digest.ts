/**
 * The digest client most packages implement (urllib, digest-header, axios-digest-auth): every request
 * is sent bare, answered with a 401, and re-sent with an Authorization built from that fresh challenge
 * (nc=00000001 each time). Two round trips per request. A baseline for benchmarks, not for use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Pool } from 'undici';

export interface NaiveDigestOptions {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  username: string;
  password: string;
  /** Keep-alive connections, default 16. */
  connections?: number;
}

export interface NaiveRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface NaiveResponse {
  status: number;
  body: Buffer;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export class NaiveDigestClient {
  readonly pool: Pool;
  readonly options: NaiveDigestOptions;
  /** HTTP exchanges made (each 401 and each signed retry counts). */
  roundTrips = 0;

  constructor(options: NaiveDigestOptions) {
    this.options = options;
    this.pool = new Pool(options.origin, { connections: options.connections ?? 16 });
  }

  async request(req: NaiveRequest): Promise<NaiveResponse> {
    const first = await this.send(req, undefined);
    if (first.status !== 401) return first;
    const challenge = first.challenge;
    if (challenge === undefined) throw new Error(`naive digest: 401 without a challenge on ${req.path}`);
    const second = await this.send(req, this.authorization(req, challenge));
    return { status: second.status, body: second.body };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private authorization(req: NaiveRequest, challenge: string): string {
    const param = (name: string): string | undefined => new RegExp(`${name}="?([^",]*)"?`, 'i').exec(challenge)?.[1];
    const realm = param('realm') ?? '';
    const nonce = param('nonce') ?? '';
    const opaque = param('opaque');
    const cnonce = randomBytes(8).toString('hex');
    const nc = '00000001';
    const ha1 = md5(`${this.options.username}:${realm}:${this.options.password}`);
    const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${md5(`${req.method}:${req.path}`)}`);
    const parts = [
      `username="${this.options.username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${req.path}"`,
      `response="${response}"`, `qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`,
    ];
    if (opaque !== undefined) parts.push(`opaque="${opaque}"`);
    return `Digest ${parts.join(', ')}`;
  }

  private async send(req: NaiveRequest, authorization: string | undefined): Promise<NaiveResponse & { challenge?: string }> {
    const headers: Record<string, string> = { ...req.headers };
    if (authorization !== undefined) headers['authorization'] = authorization;
    const response = await this.pool.request({ method: req.method as 'GET', path: req.path, headers, body: req.body ?? null });
    this.roundTrips++;
    const body = Buffer.from(await response.body.arrayBuffer());
    const challenge = response.headers['www-authenticate'];
    const out: NaiveResponse & { challenge?: string } = { status: response.statusCode, body };
    if (challenge !== undefined) out.challenge = Array.isArray(challenge) ? (challenge[0] ?? '') : challenge;
    return out;
  }
}
