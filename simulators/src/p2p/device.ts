/**
 * A simulated TrailCam (KJK230) on loopback, as the captures show it: LAN_SEARCH on the search port
 * answered with PUNCH_PKT from a separate session socket; a PUNCH_PKT on the session port answered
 * with a burst of P2P_RDY_ACK (0x43) then P2P_RDY; the "ACK" DRW on channel 0; ARTEMIS on top.
 * It registers with directory servers (DEV_LGN), punches back on PUNCH_TO, and joins a relay on
 * RLY_TO. Per path (lan, direct, p2p, relay): delay, loss and silence. Few session slots.
 */
import type { Socket } from 'node:dgram';
import { type SockAddr, TypedEmitter, didEquals, formatDid, parseDid } from '@camflow/core';
import { CameraApp, type Photo } from './camera-app.js';
import { DeviceLink, type DrwFaults } from './device-link.js';
import { bindUdp as bind, closeUdp as close } from './udp.js';
import { type SimMessage, decodeSim, encodeSim } from './wire.js';

export type SimPath = 'lan' | 'direct' | 'p2p' | 'relay';

export interface PathBehaviour {
  /** Added before the device answers on this path (ms). */
  delayMs?: number;
  /** Share of this path's incoming handshake datagrams dropped (0..1). */
  lossRate?: number;
  /** Never answer on this path. */
  silent?: boolean;
}

export interface TrailCamSimulatorOptions {
  did?: string;
  /** Loopback only. Default 127.0.0.1. */
  host?: string;
  /** LAN search port. Default 0 (free port); the real camera uses 32108. */
  lanPort?: number;
  /** Session port. Default 0 (free port); the real camera uses 40611. */
  sessionPort?: number;
  username?: string;
  password?: string;
  /** Photos on the SD card. Default 12. */
  photos?: number;
  /** Videos on the SD card (fileType 1, 10 s each), newer than the photos. Default 0. */
  videos?: number;
  /** Concurrent sessions the camera accepts; further PUNCH_PKTs are ignored. Default 1. */
  maxSessions?: number;
  paths?: Partial<Record<SimPath, PathBehaviour>>;
  /** Directory servers to register with (DEV_LGN) on start. */
  directoryServers?: readonly SockAddr[];
  /** start() fails when a directory server has not acknowledged DEV_LGN within this. Default 3000 ms. */
  registerTimeoutMs?: number;
  /** Announce sessionPort - N to the directory server, so clients must punch around it ("answers on port+N"). */
  announcePortOffset?: number;
  /** P2P_RDY_ACK copies before P2P_RDY (captures: ~50 in 330 ms). Default 5. */
  rdyAckBurst?: number;
  drw?: DrwFaults;
  retransmitMs?: number;
  aliveIntervalMs?: number;
  aliveTimeoutMs?: number;
  frameIntervalMs?: number;
  /** Pause between the chunks of a downloaded file (cmdId 1285). Default 0: at once. */
  fileChunkIntervalMs?: number;
}

export interface DeviceSessionInfo {
  peer: SockAddr;
  path: SimPath;
}

export interface SimulatorEvents {
  /** A PUNCH_PKT (or RLY_TO) took one of the camera's few slots; the handshake follows after the path's delay. */
  'session-reserved': DeviceSessionInfo;
  'session-open': DeviceSessionInfo;
  'session-closed': DeviceSessionInfo & { reason: string };
  heartbeat: DeviceSessionInfo;
}

interface Session extends DeviceSessionInfo {
  link: DeviceLink | undefined;
  app: CameraApp | undefined;
}

const key = (a: SockAddr): string => `${a.address}:${a.port}`;

export class TrailCamSimulator extends TypedEmitter<SimulatorEvents> {
  readonly did;
  readonly photos: Photo[];
  readonly #o: TrailCamSimulatorOptions;
  readonly #host: string;
  readonly #sessions = new Map<string, Session>();
  readonly #seekers = new Map<string, SimPath>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #relayJoins = new Map<string, NodeJS.Timeout>();
  readonly #registrations = new Set<{ timer: NodeJS.Timeout; deadline: NodeJS.Timeout; fail: (error: Error) => void }>();
  readonly #paths: Partial<Record<SimPath, PathBehaviour>>;
  #search: Socket | undefined;
  #session: Socket | undefined;
  #started = false;
  /** Counters for tests: CLOSEs received, heartbeats, LAN searches answered. */
  readonly stats = { closesReceived: 0, heartbeats: 0, lanSearches: 0, sessionsOpened: 0 };
  /** Every command the camera answered after a login, by cmdId, in order (heartbeats excepted). */
  readonly commands: number[] = [];

  constructor(options: TrailCamSimulatorOptions = {}) {
    super();
    this.#o = options;
    this.#host = options.host ?? '127.0.0.1';
    this.#paths = { ...options.paths };
    this.did = parseDid(options.did ?? 'LBCS-000000-CCCJJ');
    const now = Math.floor(Date.now() / 1000);
    const videos = Array.from({ length: options.videos ?? 0 }, (_, i) => ({
      fileType: 1,
      mediaDirNum: 101,
      mediaNum: 20 - i,
      durationMs: 10_000,
      mediaId: 3_361_400_000 - i * 7919,
      mediaTime: now - 60 - i * 1800,
    }));
    // Newest first, as the camera lists them.
    this.photos = [
      ...videos,
      ...Array.from({ length: options.photos ?? 12 }, (_, i) => ({
        fileType: 0,
        mediaDirNum: 100,
        mediaNum: 318 - i,
        durationMs: 0,
        mediaId: 3_361_310_203 - i * 7919,
        mediaTime: now - i * 3600,
      })),
    ].sort((a, b) => b.mediaTime - a.mediaTime);
  }

  get lanPort(): number {
    return this.#search?.address().port ?? 0;
  }

  get sessionPort(): number {
    return this.#session?.address().port ?? 0;
  }

  /** Sessions currently up (or in handshake). */
  get activeSessions(): DeviceSessionInfo[] {
    return [...this.#sessions.values()].map(({ peer, path }) => ({ peer, path }));
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#search = await bind(this.#host, this.#o.lanPort ?? 0);
    this.#session = await bind(this.#host, this.#o.sessionPort ?? 0);
    this.#search.on('message', (msg, rinfo) => this.#onSearch(msg, rinfo));
    this.#session.on('message', (msg, rinfo) => this.#onSession(msg, { address: rinfo.address, port: rinfo.port }));
    try {
      for (const server of this.#o.directoryServers ?? []) await this.#register(server);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    for (const registration of [...this.#registrations]) registration.fail(new Error('simulator stopped while registering'));
    for (const timer of [...this.#timers, ...this.#relayJoins.values()]) clearTimeout(timer);
    this.#timers.clear();
    this.#relayJoins.clear();
    for (const s of [...this.#sessions.values()]) this.#end(s, false, 'simulator stopped');
    await Promise.all([this.#search, this.#session].flatMap((s) => (s === undefined ? [] : [close(s)])));
    this.#search = this.#session = undefined;
  }

  /** Sends CLOSE to every session (the camera going away). */
  closeAllSessions(): void {
    for (const s of [...this.#sessions.values()]) this.#end(s, true, 'closed by simulator');
  }

  /**
   * DEV_LGN every 100 ms until the server acks, as a device does. The interval is tracked so stop()
   * clears it, and the wait is bounded: a server that never answers fails start() with a clear error.
   */
  #register(server: SockAddr): Promise<void> {
    const local = { address: this.#host, port: this.sessionPort - (this.#o.announcePortOffset ?? 0) };
    const socket = this.#session;
    if (socket === undefined) return Promise.reject(new Error('simulator stopped while registering'));
    const deadlineMs = this.#o.registerTimeoutMs ?? 3000;
    return new Promise<void>((resolve, reject) => {
      const registration = {
        fail: (error: Error): void => finish(error),
        timer: setInterval(() => send(), 100),
        deadline: setTimeout(() => {
          finish(new Error(`directory server ${server.address}:${server.port} did not acknowledge DEV_LGN within ${deadlineMs} ms`));
        }, deadlineMs),
      };
      const finish = (error?: Error): void => {
        clearInterval(registration.timer);
        clearTimeout(registration.deadline);
        socket.off('message', onAck);
        this.#registrations.delete(registration);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAck = (msg: Buffer, rinfo: { address: string; port: number }): void => {
        if (rinfo.address !== server.address || rinfo.port !== server.port) return;
        const ack = decodeSim(msg);
        if (ack?.type === 'DEV_LGN_ACK' && ack.result === 0) finish();
      };
      const send = (): void => socket.send(encodeSim({ type: 'DEV_LGN', did: this.did, local }), server.port, server.address);
      this.#registrations.add(registration);
      socket.on('message', onAck);
      send();
    });
  }

  /** Changes one path's behaviour while running (tests open a path at the moment they choose). */
  setPathBehaviour(path: SimPath, behaviour: PathBehaviour): void {
    this.#paths[path] = { ...behaviour };
  }

  #behaviour(path: SimPath): Required<PathBehaviour> {
    const b = this.#paths[path] ?? {};
    return { delayMs: b.delayMs ?? 0, lossRate: b.lossRate ?? 0, silent: b.silent ?? false };
  }

  /** True when this path would drop the datagram (silent or lost). */
  #drops(path: SimPath): boolean {
    const b = this.#behaviour(path);
    return b.silent || (b.lossRate > 0 && Math.random() < b.lossRate);
  }

  #later(ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #send(message: SimMessage | Buffer, to: SockAddr): void {
    const socket = this.#session;
    if (socket === undefined) return;
    socket.send(Buffer.isBuffer(message) ? message : encodeSim(message), to.port, to.address);
  }

  #onSearch(msg: Buffer, rinfo: SockAddr): void {
    const message = decodeSim(msg);
    if (message?.type !== 'LAN_SEARCH' || this.#drops('lan')) return;
    const peer = { address: rinfo.address, port: rinfo.port };
    this.stats.lanSearches++;
    if (!this.#seekers.has(key(peer))) this.#seekers.set(key(peer), 'lan');
    // The answer comes from the session socket, not the search port: clients must follow it.
    this.#later(this.#behaviour('lan').delayMs, () => this.#send({ type: 'PUNCH_PKT', did: this.did }, peer));
  }

  #onSession(msg: Buffer, from: SockAddr): void {
    const message = decodeSim(msg);
    if (message === undefined) return;
    const session = this.#sessions.get(key(from));
    switch (message.type) {
      case 'PUNCH_PKT':
        if (didEquals(message.did, this.did)) this.#onPunch(from, session);
        return;
      case 'PUNCH_TO':
        return this.#onPunchTo(message.to);
      case 'RLY_TO':
        return this.#joinRelay(message.relay, message.magic);
      case 'RLY_RDY':
        return this.#onRelayReady(from);
      case 'CLOSE':
        if (session !== undefined) {
          this.stats.closesReceived++;
          this.#end(session, false, 'peer sent CLOSE');
        }
        return;
      default:
        session?.link?.handle(message);
    }
  }

  #onPunch(from: SockAddr, existing: Session | undefined): void {
    const path = this.#seekers.get(key(from)) ?? 'direct';
    if (this.#drops(path)) return;
    if (existing !== undefined) {
      if (existing.link !== undefined) this.#send({ type: 'P2P_RDY', did: this.did }, from);
      return;
    }
    if (this.#sessions.size >= (this.#o.maxSessions ?? 1)) return; // no free slot: stay silent
    const session: Session = { peer: from, path, link: undefined, app: undefined };
    this.#sessions.set(key(from), session);
    this.emit('session-reserved', { peer: from, path });
    this.#later(this.#behaviour(path).delayMs, () => this.#handshake(session));
  }

  #handshake(session: Session): void {
    const burst = this.#o.rdyAckBurst ?? 5;
    const addr = { address: this.#host, port: this.sessionPort };
    for (let i = 0; i < burst; i++) this.#send({ type: 'P2P_RDY_ACK', did: this.did, addr }, session.peer);
    this.#later(2, () => {
      if (this.#sessions.get(key(session.peer)) !== session) return; // CLOSEd meanwhile
      this.#send({ type: 'P2P_RDY', did: this.did }, session.peer);
      this.#send({ type: 'P2P_RDY', did: this.did }, session.peer);
      this.#open(session);
    });
  }

  #open(session: Session): void {
    const link = new DeviceLink({
      send: (packet) => this.#send(packet, session.peer),
      onData: (channel, data) => {
        if (channel === 0) session.app?.onControlData(data);
      },
      onClose: (reason) => this.#end(session, false, reason),
      faults: this.#o.drw ?? {},
      retransmitMs: this.#o.retransmitMs ?? 20,
      aliveIntervalMs: this.#o.aliveIntervalMs ?? 1000,
      aliveTimeoutMs: this.#o.aliveTimeoutMs ?? 5000,
    });
    session.link = link;
    session.app = new CameraApp({
      username: this.#o.username ?? 'admin',
      password: this.#o.password ?? 'admin',
      photos: this.photos,
      frameIntervalMs: this.#o.frameIntervalMs ?? 100, // the live stream is 10 fps
      fileChunkIntervalMs: this.#o.fileChunkIntervalMs ?? 0,
      write: (channel, data) => link.write(channel, data),
      onHeartbeat: () => {
        this.stats.heartbeats++;
        this.emit('heartbeat', { peer: session.peer, path: session.path });
      },
      onCommand: (cmdId) => this.commands.push(cmdId),
    });
    this.stats.sessionsOpened++;
    this.emit('session-open', { peer: session.peer, path: session.path });
    // The camera's first DRW: channel 0, index 0, "ACK" (the app waits for it).
    link.write(0, Buffer.from('ACK', 'latin1'));
  }

  #end(session: Session, sendClose: boolean, reason: string): void {
    if (this.#sessions.get(key(session.peer)) !== session) return;
    this.#sessions.delete(key(session.peer));
    this.#seekers.delete(key(session.peer));
    session.app?.stop();
    if (session.link?.open === true) session.link.end(sendClose, reason);
    else if (sendClose) this.#send({ type: 'CLOSE' }, session.peer);
    this.emit('session-closed', { peer: session.peer, path: session.path, reason });
  }

  #onPunchTo(client: SockAddr): void {
    if (this.#drops('p2p')) return;
    this.#seekers.set(key(client), 'p2p');
    this.#later(this.#behaviour('p2p').delayMs, () => this.#send({ type: 'PUNCH_PKT', did: this.did }, client));
  }

  #joinRelay(relay: SockAddr, magic: number): void {
    if (this.#relayJoins.has(key(relay)) || this.#sessions.has(key(relay)) || this.#drops('relay')) return;
    // No free slot: the camera does not join the relay at all. Otherwise the slot is reserved now.
    if (this.#sessions.size >= (this.#o.maxSessions ?? 1)) return;
    this.#sessions.set(key(relay), { peer: relay, path: 'relay', link: undefined, app: undefined });
    this.emit('session-reserved', { peer: relay, path: 'relay' });
    this.#seekers.set(key(relay), 'relay');
    const send = (): void => this.#send({ type: 'RLY_PKT', magic, did: this.did, fromDevice: true }, relay);
    this.#later(this.#behaviour('relay').delayMs, () => {
      if (!this.#started) return;
      send();
      const timer = setInterval(send, 100);
      this.#relayJoins.set(key(relay), timer);
    });
  }

  #onRelayReady(relay: SockAddr): void {
    const timer = this.#relayJoins.get(key(relay));
    if (timer === undefined) return;
    clearInterval(timer);
    this.#relayJoins.delete(key(relay));
    const session = this.#sessions.get(key(relay));
    if (session === undefined || session.link !== undefined) return;
    this.#open(session);
  }

  override toString(): string {
    return `TrailCam ${formatDid(this.did)} search ${this.#host}:${this.lanPort} session ${this.#host}:${this.sessionPort}`;
  }
}
