/**
 * A simulated Hikvision camera (or NVR) on 127.0.0.1: strict digest, ISAPI XML, a real JPEG, a
 * multipart alert stream, manual recording, search and download, and injectable faults. Latency is
 * a timer per request (never a busy wait) so a hundred of these can share one process.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { pickDelay, sleep } from '../timing.js';
import { AlertStreams } from './alert-stream.js';
import { paceBody, SNAPSHOT_JPEG } from './media.js';
import { SimAuth } from './auth.js';
import { DEVICE_ERROR, OK, userCheckXml } from './documents.js';
import { makeRecordings, route, statusAnswer, type Answer, type SimState } from './routes.js';
import type {
  HikvisionFaults,
  HikvisionSimulatorOptions,
  HikvisionStats,
  RequestLogEntry,
  SimulatedOverlay,
  TriggeredEvent,
} from './types.js';

const ALERT_STREAM = /^\/ISAPI\/Event\/notification\/alertStream$/;
const MAX_BODY = 1 << 20;
const MAX_LOG = 10_000;

export class HikvisionSimulator {
  readonly options: HikvisionSimulatorOptions;
  readonly stats: HikvisionStats = {
    requests: 0, unauthorized: 0, failedLogins: 0, lockedOut: 0, replays: 0, stale: 0,
    alertStreamsOpened: 0, alertStreamsOpen: 0, connectionsOpened: 0, connectionsOpen: 0, connectionsMaxOpen: 0,
    dropped: 0, truncated: 0, abandoned: 0, serverErrors: 0,
    downloads: 0, downloadsOpen: 0, downloadsMaxOpen: 0, downloadBytesSent: 0, rangeRequests: 0,
  };
  readonly requestLog: RequestLogEntry[] = [];
  private readonly faults: HikvisionFaults;
  private readonly auth: SimAuth;
  private readonly state: SimState;
  private readonly streams: AlertStreams;
  private readonly sockets = new Set<Socket>();
  private stopping = new AbortController();
  private readonly alertWaiters = new Set<() => void>();
  private server: Server | undefined;
  private listenPort = 0;

  constructor(options: HikvisionSimulatorOptions = {}) {
    this.options = options;
    this.faults = {
      latencyMs: options.latencyMs ?? 0, jitterMs: options.jitterMs ?? 0, dropNext: 0, dropRate: 0,
      errorNext: 0, errorRate: 0, slowBodyMs: 0, malformedXml: false, truncateBodyNext: 0, pictureAnswer: 'jpeg',
      offline: false, downloadBytesPerSecond: options.downloadBytesPerSecond ?? 0, downloadFirstByteMs: options.downloadFirstByteMs ?? 0,
    };
    this.auth = new SimAuth({
      username: options.username ?? 'admin',
      password: options.password ?? 'password',
      realm: options.realm ?? 'IP Camera(E1518)',
      nonceLifetimeMs: options.nonceLifetimeMs ?? 30_000,
      lockoutAfter: options.lockoutAfter ?? 7,
      lockoutMs: options.lockoutMs ?? 600_000,
      basicOnly: options.basicOnly ?? false,
      algorithm: options.algorithm,
    });
    this.state = initialState(options);
    this.streams = new AlertStreams({
      ns: this.state.ns,
      macAddress: this.state.facts.macAddress,
      heartbeatMs: options.heartbeatMs ?? 10_000,
      rawAmpersand: options.quirks?.rawAmpersand ?? false,
      mismatchedBoundary: options.quirks?.mismatchedBoundary ?? false,
      onOpen: () => {
        this.stats.alertStreamsOpened++;
        this.stats.alertStreamsOpen++;
        for (const wake of this.alertWaiters) wake();
      },
      onClose: () => this.stats.alertStreamsOpen--,
    });
  }

  get port(): number {
    return this.listenPort;
  }

  get url(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${this.listenPort}`;
  }

  /** Tracks currently recording (manual record). */
  get recordingTracks(): ReadonlySet<number> {
    return this.state.recordingTracks;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    this.stopping = new AbortController();
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    // HTTPS with the given certificate, as cameras with a self-signed one serve it.
    const server: Server =
      this.options.tls === undefined
        ? createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, handler)
        : createHttpsServer({ keepAliveTimeout: 60_000, requestTimeout: 0, cert: this.options.tls.cert, key: this.options.tls.key }, handler);
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    this.server = server;
    server.listen(this.options.port ?? 0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    this.listenPort = typeof address === 'object' && address !== null ? address.port : 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.stopping.abort();
    this.streams.closeAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  overlay(channel: number, id: number): SimulatedOverlay | undefined {
    const found = this.state.overlays.get(channel)?.find((o) => o.id === id);
    return found === undefined ? undefined : { ...found };
  }

  /** Changes an overlay as someone using the camera's own web page would (show it, retype its text). */
  editOverlay(channel: number, id: number, change: Partial<Omit<SimulatedOverlay, 'id'>>): void {
    const list = this.state.overlays.get(channel);
    const index = list?.findIndex((o) => o.id === id) ?? -1;
    const found = list?.[index];
    if (list === undefined || found === undefined) throw new RangeError(`no overlay ${id} on channel ${channel}`);
    list[index] = { ...found, ...change };
  }

  /** Serves this JPEG as the camera's picture from now on (what the camera sees changes). */
  setSnapshot(jpeg: Buffer): void {
    this.state.snapshot = jpeg;
  }

  /** Sends an event to every open alert stream (nothing happens when none is open). */
  triggerEvent(event: TriggeredEvent & { picture?: boolean }): void {
    this.streams.send(event);
  }

  /** Resolves once at least `count` alert streams are open (a client connected or reconnected). */
  async waitForAlertStreams(count = 1, signal?: AbortSignal): Promise<void> {
    while (this.stats.alertStreamsOpen < count) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.alertWaiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.alertWaiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  setFaults(faults: Partial<HikvisionFaults>): void {
    Object.assign(this.faults, faults);
    if (faults.offline === true) this.dropEverything();
  }

  setPassword(password: string): void {
    this.auth.setPassword(password);
  }

  /** Every nonce handed out so far expires now: its next use is answered 401 with stale="TRUE". */
  expireNonces(): void {
    this.auth.expireNonces();
  }

  /** Like a power cycle: every connection and alert stream dropped, nonces and lock counters forgotten. */
  reboot(): void {
    this.auth.reset();
    this.state.searches.clear();
    this.dropEverything();
  }

  private dropEverything(): void {
    this.streams.closeAll();
    for (const socket of this.sockets) socket.destroy();
  }

  private onConnection(socket: Socket): void {
    if (this.faults.offline) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.stats.connectionsOpened++;
    this.stats.connectionsOpen++;
    this.stats.connectionsMaxOpen = Math.max(this.stats.connectionsMaxOpen, this.stats.connectionsOpen);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.stats.connectionsOpen--;
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? url;
    let body: string;
    try {
      body = await readBody(req);
    } catch {
      res.destroy();
      return;
    }
    const delayMs = pickDelay(this.faults);
    const alive = await sleep(delayMs, this.stopping.signal);
    if (!alive || res.destroyed) return;
    if (this.injectConnectionFault(res)) return;
    if (!this.authorize(method, url, req, res)) {
      this.log(method, path, 401, delayMs);
      return;
    }
    if (method === 'GET' && ALERT_STREAM.test(path)) {
      this.streams.attach(res);
      this.log(method, path, 200, delayMs);
      return;
    }
    let answer: Answer;
    try {
      const range = req.headers.range;
      answer = this.pictureFault(route(this.state, { method, path, url, body, ...(range === undefined ? {} : { range }) }), path);
    } catch {
      answer = statusAnswer(this.state, path, 500, DEVICE_ERROR);
    }
    this.log(method, path, answer.status, delayMs);
    if (answer.download === true) await this.sendRecording(res, answer);
    else await this.write(res, answer);
  }

  /** Drops the connection or answers 503 when a fault says so. True when the request is done. */
  private injectConnectionFault(res: ServerResponse): boolean {
    const f = this.faults;
    if (f.offline || f.dropNext > 0 || (f.dropRate > 0 && Math.random() < f.dropRate)) {
      if (f.dropNext > 0) f.dropNext--;
      this.stats.dropped++;
      res.socket?.destroy();
      res.destroy();
      return true;
    }
    if (f.errorNext > 0 || (f.errorRate > 0 && Math.random() < f.errorRate)) {
      if (f.errorNext > 0) f.errorNext--;
      this.stats.serverErrors++;
      const html = '<html><body><h1>503 Service Unavailable</h1></body></html>';
      res.writeHead(503, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) }).end(html);
      return true;
    }
    return false;
  }

  /** The pictureAnswer fault: a 200 that is no JPEG in place of the picture. */
  private pictureFault(answer: Answer, path: string): Answer {
    if (answer.type !== 'image/jpeg' || this.faults.pictureAnswer === 'jpeg') return answer;
    if (this.faults.pictureAnswer === 'html') {
      return { status: 200, type: 'text/html', body: '<!DOCTYPE html>\n<html><head><title>login</title></head><body></body></html>\n' };
    }
    return statusAnswer({ ...this.state, errorsWithHttp200: false }, path, 200, OK);
  }

  private authorize(method: string, url: string, req: IncomingMessage, res: ServerResponse): boolean {
    const verdict = this.auth.check(method, url, req.headers.authorization, req.socket.remoteAddress ?? '');
    if (verdict.kind === 'ok') return true;
    this.stats.unauthorized++;
    if (verdict.kind === 'locked') this.stats.lockedOut++;
    else {
      if (verdict.failed) this.stats.failedLogins++;
      if (verdict.replay) this.stats.replays++;
      if (verdict.stale) this.stats.stale++;
    }
    const body = userCheckXml(verdict.kind === 'locked', verdict.kind === 'locked' ? verdict.unlockInS : 0);
    res.writeHead(401, {
      'WWW-Authenticate': verdict.header,
      'Content-Type': 'application/xml; charset="UTF-8"',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return false;
  }

  /** A recording's bytes, counted, after the first-byte wait and at the throttle's rate when set. */
  private async sendRecording(res: ServerResponse, answer: Answer): Promise<void> {
    const body = answer.body as Buffer;
    const s = this.stats;
    s.downloads++;
    if (answer.status === 206) s.rangeRequests++;
    s.downloadsOpen++;
    s.downloadsMaxOpen = Math.max(s.downloadsMaxOpen, s.downloadsOpen);
    let sent = 0;
    res.once('close', () => {
      s.downloadsOpen--;
      s.downloadBytesSent += res.writableFinished ? body.length : Math.min(sent, body.length);
    });
    const f = this.faults;
    if (f.downloadFirstByteMs > 0 && !(await sleep(f.downloadFirstByteMs, this.stopping.signal))) return;
    if (res.destroyed) return;
    if (f.downloadBytesPerSecond <= 0 || f.truncateBodyNext > 0 || f.slowBodyMs > 0) {
      sent = f.truncateBodyNext > 0 ? Math.floor(body.length / 2) : body.length;
      await this.write(res, answer);
      return;
    }
    res.writeHead(answer.status, { 'Content-Type': answer.type, 'Content-Length': body.length, ...answer.headers });
    const counting = { write: (chunk: Buffer) => ((sent += chunk.length), res.write(chunk)), once: res.once.bind(res), get destroyed() { return res.destroyed; } };
    if (await paceBody(counting, body, f.downloadBytesPerSecond, (ms) => sleep(ms, this.stopping.signal))) res.end();
  }

  private async write(res: ServerResponse, answer: Answer): Promise<void> {
    let body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    // Malformed XML: the document is cut short, as a crashing web server would send it.
    if (this.faults.malformedXml && answer.type.startsWith('application/xml')) body = body.subarray(0, Math.floor(body.length / 2));
    res.writeHead(answer.status, { 'Content-Type': answer.type, 'Content-Length': body.length, ...answer.headers });
    const truncate = this.faults.truncateBodyNext > 0 && body.length > 1;
    if (truncate) {
      this.faults.truncateBodyNext--;
      this.stats.truncated++;
    }
    const end = truncate ? Math.floor(body.length / 2) : body.length;
    if (this.faults.slowBodyMs <= 0 && !truncate) {
      res.end(body);
      return;
    }
    const chunk = this.faults.slowBodyMs <= 0 ? end : Math.max(64, Math.ceil(body.length / 8));
    for (let offset = 0; offset < end; offset += chunk) {
      if (res.destroyed) {
        this.stats.abandoned++;
        return;
      }
      res.write(body.subarray(offset, Math.min(end, offset + chunk)));
      if (!(await sleep(this.faults.slowBodyMs, this.stopping.signal))) return;
    }
    if (!truncate) {
      res.end();
      return;
    }
    // Break off once the bytes sent so far have reached the socket: the client sees half a body, then EOF.
    const socket = res.socket;
    if (socket === null || socket.destroyed) return;
    socket.write('', () => socket.destroy());
  }

  private log(method: string, path: string, status: number, delayMs: number): void {
    if (this.requestLog.length >= MAX_LOG) this.requestLog.splice(0, MAX_LOG / 2);
    this.requestLog.push({ method, path, status, at: Date.now(), delayMs });
  }
}

function initialState(options: HikvisionSimulatorOptions): SimState {
  const channels = options.channels ?? 1;
  const overlays = new Map<number, SimulatedOverlay[]>();
  for (let channel = 1; channel <= channels; channel++) {
    const list: SimulatedOverlay[] = [];
    for (let id = 1; id <= (options.overlayCount ?? 4); id++) {
      list.push({ id, enabled: false, text: '', positionX: 16, positionY: 560 - id * 32 });
    }
    overlays.set(channel, list);
  }
  const serial = options.serialNumber ?? 'DS-2CD2143G2-I20230601AAWRJ00000001';
  return {
    ns: options.namespace ?? 'http://www.hikvision.com/ver20/XMLSchema',
    facts: {
      deviceName: options.deviceName ?? 'IP CAMERA',
      deviceID: '88f1d0e2-1dd2-11b2-8000-c8bab1a0b001',
      model: options.model ?? 'DS-2CD2143G2-I',
      serialNumber: serial,
      macAddress: options.macAddress ?? 'c8:ba:b1:a0:b0:01',
      firmwareVersion: options.firmwareVersion ?? 'V5.7.3',
    },
    channels,
    maxTextLength: options.maxTextLength ?? 44,
    noOverlayCapabilities: options.noOverlayCapabilities ?? false,
    batchOverlays: options.batchOverlays ?? true,
    nvr: options.nvr ?? false,
    snapshot: options.snapshot ?? SNAPSHOT_JPEG,
    downloadPostOnly: options.downloadPostOnly ?? false,
    honourRange: options.honourRange ?? false,
    errorsWithHttp200: options.quirks?.errorsWithHttp200 ?? false,
    overlays,
    recordings: makeRecordings(options.recordingCount ?? 60, options.recordingsEnd ?? new Date('2024-05-01T12:00:00Z'), options.recordingBytes),
    recordingTracks: new Set(),
    searchPageSize: options.searchPageSize ?? 40,
    searches: new Set(),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
