/**
 * One camera's HTTP: an undici keep-alive Pool (connection cap) wrapped with digest auth. A wrapper
 * rather than a dispatcher interceptor because the retry needs the whole request again (buffered
 * body, GET with a body included) and the auth state is per camera anyway.
 *
 * Steady state costs one round trip: the nonce is cached and each request signs pre-emptively with
 * its own nc. A 401 after a signed request is retried once only if the nonce went stale or changed;
 * a second 401 is an AuthError, after which every call is refused for `authBackoffMs` (cameras lock
 * the client's IP out after ~7 failures).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { TlsOption } from '../config/common.js';
import { AbortError, AuthError, CamflowError, ConnectionError, ProtocolError, TimeoutError } from '../errors.js';
import { noopLogger, registerSecret, type Logger } from '../log.js';
import {
  buildBasicAuthorization,
  buildDigestAuthorization,
  entryFromChallenge,
  isStale,
  nextNonce,
  parseWwwAuthenticate,
  pickChallenge,
  type Challenge,
  type DigestEntry,
} from './digest.js';
import { Deadline, stripQuery } from './deadline.js';
import { buildTlsConnect } from './tls.js';

export interface CameraHttpOptions {
  /** `http://host:port` or `https://host:port`. */
  origin: string;
  username: string;
  password: string;
  tls?: TlsOption;
  /** Keep-alive connections at most, default 4. */
  connections?: number;
  /** Per request (headers and buffered body), default 5000. */
  timeoutMs?: number;
  /** After an AuthError, refuse every call for this long, default 300000. */
  authBackoffMs?: number;
  logger?: Logger;
  /** Names the camera in messages. */
  name?: string;
  /**
   * Answer a `401 Basic` challenge over plain HTTP, default false: Basic sends the password readable
   * (base64) to anyone on the path. Over HTTPS Basic is always answered.
   */
  allowBasicOverHttp?: boolean;
  /** Most bytes `request()` buffers of one answer unless the request says otherwise, default 4 MiB. */
  maxBodyBytes?: number;
}

export interface HttpRequest {
  method: string;
  /** Request-target: path and query, exactly as it goes on the request line. */
  path: string;
  headers?: Record<string, string>;
  /** Buffered so the auth retry can resend it. GET with a body is allowed. */
  body?: string | Buffer;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * `request()` only: the most bytes of the answer it buffers (error answers included). A longer body
   * is not read on: the request fails with a ProtocolError, so one broken camera (an endless chunked
   * body, a video stream where a JPEG was expected) cannot fill the process's memory.
   */
  maxBodyBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpStreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Read it to the end or destroy it; the caller's signal still aborts it. */
  body: Readable;
}

export interface StreamRequest extends HttpRequest {
  /** Longest silence while reading the body (undici bodyTimeout), default 0 = none. */
  idleTimeoutMs?: number;
}

/** What `request()` buffers at most by default: far more than any ISAPI document or camera JPEG. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const RETRYABLE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

export class CameraHttpClient {
  readonly origin: string;
  private readonly options: CameraHttpOptions;
  private readonly logger: Logger;
  private readonly name: string;
  private pool: Pool | undefined;
  private poolPromise: Promise<Pool> | undefined;
  private closed = false;
  private digest: DigestEntry | undefined;
  private basic = false;
  /** Set while one request proves a new challenge; see waitForGate. */
  private gate: Promise<void> | undefined;
  private authFailedUntil = 0;
  /** Round trips (responses and failures) and 401s seen, for diagnostics and benchmarks. */
  readonly counters = { requests: 0, roundTrips: 0, unauthorized: 0 };

  constructor(options: CameraHttpOptions) {
    this.options = options;
    this.origin = options.origin;
    this.name = options.name ?? options.origin;
    this.logger = options.logger ?? noopLogger;
    // However the password reached us (config, Node-RED's credential store), no message shows it.
    registerSecret(options.password);
  }

  /** Sends a request and buffers the whole answer. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const deadline = this.deadline(request);
    try {
      const response = await this.send(request, deadline, 0);
      const body = await this.readCapped(response, request);
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      throw this.mapError(error, deadline, request);
    } finally {
      deadline.dispose();
    }
  }

  /** Sends a request and hands back the body as a stream: the timeout covers the response head only. */
  async stream(request: StreamRequest): Promise<HttpStreamResponse> {
    const deadline = this.deadline(request);
    try {
      const response = await this.send(request, deadline, request.idleTimeoutMs ?? 0);
      deadline.clearTimer();
      const body = response.body as unknown as Readable;
      body.once('close', deadline.dispose);
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      deadline.dispose();
      throw this.mapError(error, deadline, request);
    }
  }

  /** Idempotent. Aborts in-flight requests (an alert stream never ends by itself) and frees the sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pool = this.pool ?? (await this.poolPromise?.catch(() => undefined));
    this.pool = undefined;
    if (pool !== undefined && !pool.destroyed) await pool.destroy();
  }

  /** Milliseconds left of the auth back-off (0 when calls are allowed): when a retry may try again. */
  get authBackoffRemainingMs(): number {
    return Math.max(0, this.authFailedUntil - Date.now());
  }

  /** Throws the AuthError of the back-off period, if we are in one. */
  assertNotBackingOff(): void {
    const left = this.authFailedUntil - Date.now();
    if (left > 0) {
      throw new AuthError(`${this.name}: credentials were rejected; not trying again for ${Math.ceil(left / 1000)} s`);
    }
  }

  /**
   * Buffers the body up to the request's cap. A Content-Length over the cap is refused before a byte
   * is read; a body that grows past it (chunked, or lying about its length) is cut off there.
   */
  private async readCapped(response: Dispatcher.ResponseData, request: HttpRequest): Promise<Buffer> {
    const cap = request.maxBodyBytes ?? this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const tooLarge = (): ProtocolError =>
      new ProtocolError(`${request.method} ${stripQuery(request.path)} on ${this.name}: the answer is larger than ${formatBytes(cap)}; stopped reading it`);
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > cap) {
      response.body.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > cap) {
        response.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  }

  private async send(request: HttpRequest, deadline: Deadline, bodyTimeout: number): Promise<Dispatcher.ResponseData> {
    const signal = deadline.signal;
    this.assertNotBackingOff();
    this.counters.requests++;
    if (this.gate !== undefined) {
      await this.waitForGate(signal);
      // Time spent behind another request's first-contact challenge is not this request's round
      // trip: on a slow link (1 s RTT) it would eat most of the timeout before we even send.
      deadline.restart();
    }
    let release = this.digest === undefined && !this.basic ? this.takeGate() : undefined;
    try {
      const sentNonce = this.digest?.nonce;
      let authorization = this.authorizationFor(request);
      let response = await this.dispatchRetrying(request, authorization, signal, bodyTimeout);
      if (response.statusCode !== 401) {
        this.learnNextNonce(response.headers);
        return response;
      }
      const challenge = await this.readChallenge(response);
      const canRetry =
        authorization === undefined ||
        (challenge.scheme === 'digest' && (isStale(challenge) || challenge.params['nonce'] !== sentNonce));
      if (!canRetry) this.authFailed('the camera rejected the credentials');
      if (release === undefined) {
        // Another request may be proving a fresh challenge right now: wait for its verdict.
        if (this.gate !== undefined) await this.waitForGate(signal);
        deadline.restart();
        const relearned = this.digest !== undefined && this.digest.nonce !== sentNonce;
        if (!relearned) {
          release = this.takeGate();
          this.learnChallenge(challenge);
        }
      } else this.learnChallenge(challenge);
      // The signed retry is a round trip of its own: it gets the whole timeout again.
      deadline.restart();
      authorization = this.authorizationFor(request);
      response = await this.dispatchRetrying(request, authorization, signal, bodyTimeout);
      if (response.statusCode === 401) {
        await this.readChallenge(response).catch(() => undefined);
        this.authFailed('the camera rejected the credentials');
      }
      this.learnNextNonce(response.headers);
      return response;
    } finally {
      release?.();
    }
  }

  /**
   * While one request proves a new challenge (cold start, stale nonce), the others wait for its
   * verdict: a cold start with N parallel requests costs one 401, not N, and a wrong password costs
   * two attempts in all, not two per request (each failure counts towards the camera's lockout).
   * Callers check `this.gate` synchronously first, so taking the gate right after is race-free.
   */
  private async waitForGate(signal: AbortSignal): Promise<void> {
    while (this.gate !== undefined) {
      await abortable(this.gate, signal);
    }
    this.assertNotBackingOff();
  }

  private takeGate(): () => void {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.gate = promise;
    return () => {
      if (this.gate === promise) this.gate = undefined;
      resolve();
    };
  }

  private authorizationFor(request: HttpRequest): string | undefined {
    const credentials = { username: this.options.username, password: this.options.password };
    if (this.digest !== undefined) return buildDigestAuthorization(this.digest, credentials, { method: request.method, uri: request.path });
    if (this.basic) return buildBasicAuthorization(credentials);
    return undefined;
  }

  private async readChallenge(response: Dispatcher.ResponseData): Promise<Challenge> {
    this.counters.unauthorized++;
    await response.body.dump().catch(() => undefined);
    const challenge = pickChallenge(parseWwwAuthenticate(response.headers['www-authenticate']));
    if (challenge === undefined) this.authFailed('401 without a usable WWW-Authenticate challenge');
    return challenge;
  }

  private learnChallenge(challenge: Challenge): void {
    if (challenge.scheme === 'basic') {
      if (this.origin.startsWith('http:') && this.options.allowBasicOverHttp !== true) {
        // Not counted as a failed login (nothing was sent), and no back-off: the fix is in the config.
        throw new AuthError(
          `${this.name}: the camera asks for Basic authentication over plain HTTP, which would send the password readable; ` +
            'use HTTPS, switch the camera to digest authentication, or set allow_basic_over_http: true',
        );
      }
      this.basic = true;
      this.digest = undefined;
      return;
    }
    try {
      this.digest = entryFromChallenge(challenge, this.options);
    } catch (error) {
      this.authFailed((error as Error).message);
    }
  }

  private learnNextNonce(headers: IncomingHttpHeaders): void {
    const info = headers['authentication-info'];
    const next = nextNonce(Array.isArray(info) ? info[0] : info);
    if (next !== undefined && this.digest !== undefined && next !== this.digest.nonce) {
      this.digest = { ...this.digest, nonce: next, nc: 0 };
    }
  }

  private authFailed(reason: string): never {
    this.digest = undefined;
    this.basic = false;
    const backoff = this.options.authBackoffMs ?? 300_000;
    this.authFailedUntil = Date.now() + backoff;
    // Debug only: the AuthError says what happened, and the caller decides how loud to be (a one-shot
    // command prints one line; a daemon reports the camera's state).
    this.logger.debug(`${this.name}: ${reason}; pausing requests for ${Math.round(backoff / 1000)} s`);
    throw new AuthError(`${this.name}: ${reason}`);
  }

  /** A dropped keep-alive socket is retried once for idempotent methods; never an auth failure. */
  private async dispatchRetrying(
    request: HttpRequest,
    authorization: string | undefined,
    signal: AbortSignal,
    bodyTimeout: number,
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await this.dispatch(request, authorization, signal, bodyTimeout);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (signal.aborted || !IDEMPOTENT.has(request.method) || typeof code !== 'string' || !RETRYABLE_SOCKET.has(code)) throw error;
      this.logger.debug(`${this.name}: connection dropped (${code}), retrying ${request.method} once`);
      const again = authorization === undefined ? undefined : this.authorizationFor(request);
      return await this.dispatch(request, again, signal, bodyTimeout);
    }
  }

  private async dispatch(
    request: HttpRequest,
    authorization: string | undefined,
    signal: AbortSignal,
    bodyTimeout: number,
  ): Promise<Dispatcher.ResponseData> {
    const pool = await this.getPool();
    if (socketBeingReleased(pool)) await nextLoopTurn();
    const headers: Record<string, string> = { ...request.headers };
    if (authorization !== undefined) headers['authorization'] = authorization;
    try {
      return await pool.request({
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers,
        body: request.body ?? null,
        signal,
        headersTimeout: 0,
        bodyTimeout,
      });
    } finally {
      this.counters.roundTrips++;
    }
  }

  private async getPool(): Promise<Pool> {
    if (this.closed) throw new ConnectionError(`${this.name}: client is closed`);
    if (this.pool !== undefined) return this.pool;
    this.poolPromise ??= (async () => {
      const connect = await buildTlsConnect(this.options.tls, this.logger, this.name);
      // No pipelining (undici's default of 1): camera web servers answer in order at best, and one slow
      // answer would hold up the others. keepAliveTimeout applies only when the camera sends no
      // Keep-Alive hint (Hikvision says timeout=60, max=99; a socket it closes is retried once).
      const pool = new Pool(this.origin, {
        connections: this.options.connections ?? 4,
        keepAliveTimeout: 30_000,
        ...(connect === undefined ? {} : { connect }),
      });
      if (this.closed) {
        await pool.destroy();
        throw new ConnectionError(`${this.name}: client is closed`);
      }
      this.pool = pool;
      return pool;
    })();
    return this.poolPromise;
  }

  private deadline(request: HttpRequest): Deadline {
    return new Deadline(request.timeoutMs ?? this.options.timeoutMs ?? 5000, request, this.name);
  }

  private mapError(error: unknown, deadline: Deadline, request: HttpRequest): Error {
    if (deadline.timedOut) return deadline.timeoutError();
    if (request.signal?.aborted === true) return new AbortError(undefined, { cause: request.signal.reason });
    if (error instanceof CamflowError) return error;
    const code = (error as { code?: unknown }).code;
    const what = `${request.method} ${stripQuery(request.path)} on ${this.name}`;
    if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new TimeoutError(`${what}: ${(error as Error).message}`, { cause: error });
    }
    return new ConnectionError(`${what} failed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * undici hands a keep-alive socket back to the pool one event-loop turn after its response ended
 * (pipelining 1). A request sent in that window (the signed retry after a 401, a request held for its
 * verdict, the next call of a caller that just read an answer) would open another connection: one
 * more TCP (and TLS) handshake, a round trip on a real network. True when a connected socket is idle
 * but not yet handed back, and none is free.
 */
function socketBeingReleased(pool: Pool): boolean {
  const { connected, free, running } = pool.stats;
  return free === 0 && running < connected;
}

/** Resolves after the immediates already queued (undici's socket release among them) have run. */
function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(n / 1024)} kB`;
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new AbortError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
