/**
 * TrailCam (KJK230 and clones) client: races the PPPP paths, logs in over ARTEMIS and keeps the
 * link alive with the 3 s heartbeat. Commands: device info, media list, thumbnails, whole files, live video.
 * Constructors do no I/O; connect() and close() are explicit; close() sends CLOSE so the camera
 * frees its session slot at once.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AuthError, ConnectionError, ProtocolError, abortErrorFrom } from '../../errors.js';
import { TypedEmitter } from '../../events.js';
import { type Logger, noopLogger, registerSecret } from '../../log.js';
import type { P2pCameraConfig } from '../../config/camera.js';
import { race } from '../../racer/race.js';
import { type RaceMemory, type RaceReport, type RaceResult } from '../../racer/types.js';
import { ArtemisConnection } from './artemis.js';
import { type Did, type SockAddr, parseDid } from './codec.js';
import { type Link, type PathMode } from './handshake.js';
import { MediaCommands, type MediaItem, type CommandOptions } from './media.js';
import { DEFAULT_BROADCAST, DEFAULT_LAN_PORT, DEFAULT_SESSION_PORTS, MODE_WEIGHTS, planAttempts, resolveServers } from './plan.js';
import { PpppSession, type PpppSessionOptions } from './session.js';
import type { MediaRecord } from './artemis-codec.js';
import type { FileRef } from './file-codec.js';

export interface TrailCamClientOptions {
  did: string;
  /** Camera address. Without it only the broadcast search (and P2P/relay) can find the camera. */
  host?: string;
  /** LAN search port. Default 32108. */
  lanPort?: number;
  /** Known session ports, each raced as a direct attempt. Default 40611, 32100, 32108, 10000, 80, 57743. */
  ports?: readonly number[];
  /** Directory servers, `host:port`. */
  servers?: readonly (string | SockAddr)[];
  /** Allow the relay path. Default true. */
  relay?: boolean;
  username: string;
  password: string;
  /** Connect deadline and per-command timeout. Default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** Address our UDP sockets bind to. Default 0.0.0.0. */
  localAddress?: string;
  /**
   * LAN_SEARCH broadcast target, searched every round besides the unicast to `host` (the app sends
   * both). Default 255.255.255.255; on loopback (`localAddress` or `host` 127.x, i.e. a simulator)
   * that loopback address instead, so nothing leaves the machine. false = unicast to `host` only.
   */
  broadcastAddress?: string | false;
  /** Stagger between path starts. Default 0 (all at once: UDP probes are cheap). */
  staggerMs?: number;
  /** Keep media on the LAN: hold a P2P/relay success this long for a LAN/direct one. Default 0. */
  lanGraceMs?: number;
  /** Accept only paths whose device address lies in these IPv4 CIDRs. */
  allowedCidrs?: readonly string[];
  /** Probe resend interval during the handshake. Default 100 ms. */
  probeIntervalMs?: number;
  /** ARTEMIS heartbeat period. Default 3000 ms (as the app). */
  heartbeatMs?: number;
  session?: Pick<PpppSessionOptions, 'retransmitMs' | 'maxResends' | 'aliveIntervalMs' | 'deadAfterMs'>;
  /** Where the last winning path is remembered. Default: process-wide. */
  memory?: RaceMemory;
}

export interface ConnectOptions {
  signal?: AbortSignal;
  modes?: readonly PathMode[];
}

export interface TrailCamEvents {
  event: Record<string, unknown>;
  media: MediaRecord;
  disconnected: { error?: Error };
}

export class TrailCamClient extends TypedEmitter<TrailCamEvents> {
  readonly did: Did;
  readonly #options: TrailCamClientOptions;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  #session: PpppSession | undefined;
  #artemis: ArtemisConnection | undefined;
  #commands: MediaCommands | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #connecting: Promise<RaceReport> | undefined;
  #lastReport: RaceReport | undefined;

  constructor(options: TrailCamClientOptions) {
    super();
    this.did = parseDid(options.did);
    this.#options = options;
    this.#log = (options.logger ?? noopLogger).child('trailcam');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    registerSecret(options.password);
  }

  static fromConfig(camera: P2pCameraConfig, logger?: Logger): TrailCamClient {
    const options: TrailCamClientOptions = {
      did: camera.did,
      servers: camera.servers,
      relay: camera.relay ?? camera.servers.length > 0,
      username: camera.username,
      password: camera.password,
      timeoutMs: camera.timeout,
    };
    if (camera.host !== undefined) options.host = camera.host;
    // A camera on loopback (a simulator) is reached from loopback: bind there, not on every interface,
    // and "broadcast" to it too (never to a real broadcast address).
    if (camera.host?.startsWith('127.') === true) {
      options.localAddress = '127.0.0.1';
      options.broadcastAddress = camera.host;
    }
    if (camera.lan_port !== undefined) options.lanPort = camera.lan_port;
    if (camera.ports !== undefined) options.ports = camera.ports;
    if (camera.stagger > 0) options.staggerMs = camera.stagger;
    if (camera.lan_grace > 0) options.lanGraceMs = camera.lan_grace;
    if (camera.allowed_cidrs !== undefined) options.allowedCidrs = camera.allowed_cidrs;
    if (logger !== undefined) options.logger = logger;
    return new TrailCamClient(options);
  }

  get connected(): boolean {
    return this.#session?.open === true && this.#commands !== undefined;
  }

  get lastReport(): RaceReport | undefined {
    return this.#lastReport;
  }

  /** Races every configured path, opens the session on the winner and logs in. Rejects with RaceError when nothing connects. */
  connect(options: ConnectOptions = {}): Promise<RaceReport> {
    if (this.connected && this.#lastReport !== undefined) return Promise.resolve(this.#lastReport);
    this.#connecting ??= this.#connect(options).finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connect(options: ConnectOptions): Promise<RaceReport> {
    const o = this.#options;
    // Name lookups are bounded like the race: the caller's signal and the connect deadline.
    const lookupSignal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), ...(options.signal === undefined ? [] : [options.signal])]);
    const host = o.host === undefined ? undefined : (await resolveServers([`${o.host}:1`], lookupSignal))[0]?.address;
    const localAddress = o.localAddress ?? '0.0.0.0';
    const attempts = planAttempts({
      did: this.did,
      ...(host === undefined ? {} : { host }),
      lanPort: o.lanPort ?? DEFAULT_LAN_PORT,
      ports: o.ports ?? DEFAULT_SESSION_PORTS,
      servers: await resolveServers(o.servers ?? [], lookupSignal),
      relay: o.relay ?? true,
      broadcastAddress: o.broadcastAddress ?? defaultBroadcast(localAddress, host),
      context: { did: this.did, localAddress, intervalMs: o.probeIntervalMs ?? 100 },
      ...(options.modes === undefined ? {} : { modes: options.modes }),
    });
    const result: RaceResult<Link> = await race(attempts, {
      staggerMs: o.staggerMs ?? 0,
      deadlineMs: this.#timeoutMs,
      weights: MODE_WEIGHTS,
      target: `trailcam:${o.did}`,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(o.memory === undefined ? {} : { memory: o.memory }),
      ...((o.lanGraceMs ?? 0) > 0 ? { prefer: { modes: ['lan', 'direct'], graceMs: o.lanGraceMs ?? 0 } } : {}),
      ...(o.allowedCidrs === undefined ? {} : { allowedCidrs: o.allowedCidrs }),
    });
    this.#log.info(`connected via ${result.report.winner} in ${result.report.elapsedMs} ms`);
    this.#lastReport = result.report;
    await this.#open(result.value, options.signal);
    return result.report;
  }

  async #open(link: Link, signal: AbortSignal | undefined): Promise<void> {
    const session = new PpppSession({ socket: link.socket, remote: link.remote, logger: this.#log, ...this.#options.session });
    const artemis = new ArtemisConnection(session, this.#log);
    this.#session = session;
    this.#artemis = artemis;
    artemis.on('event', (event) => this.emit('event', event));
    artemis.on('media', (record) => this.emit('media', record));
    session.on('closed', ({ error }) => this.#onClosed(session, error));
    session.start(link.adopt());
    try {
      await this.#waitHello(artemis, signal);
      const token = await this.#login(artemis, signal);
      this.#commands = new MediaCommands(artemis, token, this.#timeoutMs);
      this.#startHeartbeat(artemis);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** The camera's first DRW ("ACK"): the app waits for it before the link counts as usable. */
  #waitHello(artemis: ArtemisConnection, signal: AbortSignal | undefined): Promise<void> {
    if (artemis.helloSeen) return Promise.resolve();
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new ConnectionError(`the camera sent no ACK within ${this.#timeoutMs} ms`)), this.#timeoutMs);
      const done = (error?: Error): void => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => done(signal === undefined ? undefined : abortErrorFrom(signal));
      const off = artemis.once('hello', () => done());
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #login(artemis: ArtemisConnection, signal: AbortSignal | undefined): Promise<number> {
    const reply = await artemis.request(
      {
        cmdId: 0,
        usrName: this.#options.username,
        password: this.#options.password,
        needVideo: 0,
        needAudio: 0,
        utcTime: Math.floor(Date.now() / 1000),
        supportHeartBeat: true,
      },
      { timeoutMs: this.#timeoutMs, ...(signal === undefined ? {} : { signal }) },
    );
    if (reply['result'] !== 0) throw new AuthError(`the camera refused the login (result ${String(reply['result'])})`);
    const token = reply['token'];
    if (typeof token !== 'number') throw new ProtocolError('login reply carries no token');
    return token;
  }

  #startHeartbeat(artemis: ArtemisConnection): void {
    const period = this.#options.heartbeatMs ?? 3000;
    this.#heartbeat = setInterval(() => {
      artemis.heartbeat().catch((error: unknown) => this.#log.debug(`heartbeat: ${(error as Error).message}`));
    }, period);
    this.#heartbeat.unref();
  }

  #onClosed(session: PpppSession, error: Error | undefined): void {
    if (session !== this.#session) return;
    clearInterval(this.#heartbeat);
    this.#artemis?.failAll(error ?? new ConnectionError('PPPP session closed'));
    this.#commands = undefined;
    if (error !== undefined) this.#log.warn(`session ended: ${error.message}`);
    this.emit('disconnected', error === undefined ? {} : { error });
  }

  #ready(): MediaCommands {
    if (this.#commands === undefined || !this.connected) throw new ConnectionError('not connected: call connect() first');
    return this.#commands;
  }

  deviceInfo(o: CommandOptions = {}): Promise<Record<string, unknown>> {
    return this.#ready().deviceInfo(o);
  }

  mediaList(o: CommandOptions & { pageSize?: number; maxItems?: number } = {}): Promise<MediaItem[]> {
    return this.#ready().mediaList(o);
  }

  thumbnail(item: MediaItem | string, o: CommandOptions = {}): Promise<Buffer> {
    return this.#ready().thumbnail(item, o);
  }

  /**
   * A whole photo or video (cmdId 1285) into `path`: bytes go to `<path>.part`, renamed once the
   * last one is written, so a file under its name is always whole. A failure or a cancel removes the
   * .part (the camera cannot resume a transfer as far as anyone knows: the next attempt starts over).
   */
  async downloadMedia(item: MediaItem | FileRef, path: string, o: CommandOptions & { onProgress?: (bytes: number, total: number | undefined) => void } = {}): Promise<{ path: string; bytes: number }> {
    const ref: FileRef = 'mediaDirNum' in item ? { fileType: item.fileType, dirNum: item.mediaDirNum, mediaNum: item.mediaNum } : item;
    const part = `${path}.part`;
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(part, 'w');
    let written = 0;
    try {
      const { bytes } = await this.#ready().download(ref, {
        ...(o.signal === undefined ? {} : { signal: o.signal }),
        onChunk: async (chunk) => {
          await handle.write(chunk.data, 0, chunk.data.length, chunk.offset);
          written = chunk.offset + chunk.data.length;
          o.onProgress?.(written, chunk.fileSize);
        },
      });
      await handle.close();
      // A cancel that came while the last bytes were written still cancels: no file appears.
      o.signal?.throwIfAborted();
      await rename(part, path);
      return { path, bytes };
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(part, { force: true });
      throw error;
    }
  }

  /** The newest photo's thumbnail (a JPEG). Live frames are H.264 and would need a decoder. */
  async snapshot(o: CommandOptions = {}): Promise<Buffer> {
    const [newest] = await this.mediaList({ ...o, pageSize: 1, maxItems: 1 });
    if (newest === undefined) throw new ProtocolError('the camera holds no photo to take a snapshot from');
    return this.thumbnail(newest, o);
  }

  /** Live video records (H.264, decrypted) until the signal aborts or the loop breaks; sends 258/259. */
  liveVideo(o: CommandOptions = {}): AsyncGenerator<MediaRecord> {
    return this.#ready().liveVideo(o, (listener) => this.on('media', listener));
  }

  /** Stops the heartbeat, sends CLOSE and frees the socket. Idempotent. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#commands = undefined;
    const session = this.#session;
    if (session === undefined) return;
    await session.close();
  }
}

/** A loopback socket reaches no LAN broadcast, and a loopback camera needs none: stay on loopback. */
function defaultBroadcast(localAddress: string, host: string | undefined): string {
  if (localAddress.startsWith('127.')) return localAddress;
  if (host?.startsWith('127.') === true) return host;
  return DEFAULT_BROADCAST;
}

export type { MediaItem, CommandOptions };
