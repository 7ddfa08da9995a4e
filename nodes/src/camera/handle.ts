import {
  ConfigError,
  HikvisionClient,
  OverlaySync,
  TrailCamClient,
  type Logger,
  type PathMode,
  type RaceReport,
} from '@camflow/core';

/** How long closing a camera waits for the nodes using it (Node-RED gives up on a close after 15 s). */
const USERS_CLOSE_MS = 10_000;

/** Id of the camera inside its own overlay sync engine (one engine per camera). */
export const SYNC_CAMERA_ID = 'camera';

export type CameraKind = 'hikvision' | 'p2p';

/** What a `camflow-camera` config node holds: its properties plus the credentials from the store. */
export interface CameraSettings {
  name: string;
  kind: CameraKind;
  host: string;
  port?: number;
  tls: boolean;
  /** Hikvision video channel (1-based). */
  channel: number;
  /** P2P device id, e.g. LBCS-000000-CCCJJ. */
  did: string;
  username: string;
  password: string;
  timeoutMs: number;
}

/**
 * The camera a config node owns, shared by every node that uses it. Clients are created on first use
 * (constructors do no I/O) and closed on redeploy through `close()`.
 */
export class CameraHandle {
  readonly settings: Readonly<CameraSettings>;
  readonly #logger: Logger;
  #hikvision: HikvisionClient | undefined;
  #trailcam: TrailCamClient | undefined;
  #sync: { engine: OverlaySync; users: Set<string> } | undefined;
  #closed = false;
  /** Nodes using this camera: close() lets them finish (stop a recording) before the clients go. */
  readonly #users = new Set<{ readonly closed: Promise<void> }>();

  constructor(settings: CameraSettings, logger: Logger) {
    this.settings = settings;
    this.#logger = logger;
  }

  get label(): string {
    return this.settings.name || this.settings.host || this.settings.did;
  }

  /** The ISAPI client; a ConfigError for a camera of another kind. */
  hikvision(): HikvisionClient {
    this.#assertOpen();
    if (this.settings.kind !== 'hikvision') {
      throw new ConfigError(`camera '${this.label}' is a ${this.settings.kind} camera, not a Hikvision camera`);
    }
    this.#hikvision ??= new HikvisionClient({
      host: this.settings.host,
      ...(this.settings.port === undefined ? {} : { port: this.settings.port }),
      tls: this.settings.tls,
      username: this.settings.username,
      password: this.settings.password,
      timeoutMs: this.settings.timeoutMs,
      name: this.label,
      logger: this.#logger.child('hikvision'),
    });
    return this.#hikvision;
  }

  /** The TrailCam P2P client; a ConfigError for a camera of another kind. */
  trailcam(): TrailCamClient {
    this.#assertOpen();
    if (this.settings.kind !== 'p2p') {
      throw new ConfigError(`camera '${this.label}' is a ${this.settings.kind} camera, not a P2P camera`);
    }
    this.#trailcam ??= new TrailCamClient({
      did: this.settings.did,
      ...(this.settings.host === '' ? {} : { host: this.settings.host }),
      ...(this.settings.port === undefined ? {} : { ports: [this.settings.port] }),
      username: this.settings.username || 'admin',
      password: this.settings.password,
      timeoutMs: this.settings.timeoutMs,
      logger: this.#logger,
    });
    return this.#trailcam;
  }

  /**
   * Races the paths to a P2P camera and logs in; the report says which path won and how each attempt
   * went. Already connected: the report of the connection in use, unless `fresh` asks for a new race.
   */
  async connect(signal: AbortSignal, options: { modes?: readonly PathMode[]; fresh?: boolean } = {}): Promise<RaceReport> {
    const client = this.trailcam();
    if (options.fresh === true && client.connected) await client.close();
    return client.connect({ signal, ...(options.modes === undefined ? {} : { modes: options.modes }) });
  }

  /** A JPEG from the camera, whatever its kind (a P2P camera gives its newest picture). */
  async snapshot(signal: AbortSignal): Promise<Buffer> {
    if (this.settings.kind === 'p2p') {
      await this.connect(signal);
      return this.trailcam().snapshot({ signal });
    }
    return this.hikvision().snapshot(this.settings.channel, { signal });
  }

  /**
   * The camera's overlay sync engine, shared by every overlay node that keeps this camera in sync. The
   * first user's interval wins; the loop runs while at least one user holds it.
   */
  acquireOverlaySync(user: string, intervalMs: number): OverlaySync {
    const target = this.hikvision();
    this.#sync ??= {
      engine: new OverlaySync({
        cameras: [{ id: SYNC_CAMERA_ID, name: this.label, channel: this.settings.channel, overlays: [], target }],
        intervalMs,
        timeoutMs: this.settings.timeoutMs,
        // One line per written overlay every second would drown Node-RED's log; the node outputs reports.
        logUpdates: false,
        logger: this.#logger.child('overlay'),
      }),
      users: new Set(),
    };
    this.#sync.users.add(user);
    this.#sync.engine.start();
    return this.#sync.engine;
  }

  async releaseOverlaySync(user: string): Promise<void> {
    const sync = this.#sync;
    if (sync === undefined || !sync.users.delete(user) || sync.users.size > 0) return;
    this.#sync = undefined;
    await sync.engine.stop();
  }

  /** Registers a node whose work must end before the camera's clients are closed. */
  addUser(user: { readonly closed: Promise<void> }): void {
    if (this.#users.has(user)) return;
    this.#users.add(user);
    void user.closed.then(() => this.#users.delete(user));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Node-RED closes the nodes of a flow concurrently. Users finish first (bounded: a user that is not
    // being closed must not hold the redeploy), then nothing new may start.
    if (this.#users.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, USERS_CLOSE_MS)));
      await Promise.race([Promise.all([...this.#users].map((user) => user.closed)), limit]);
      clearTimeout(timer);
    }
    this.#closed = true;
    const sync = this.#sync;
    this.#sync = undefined;
    await sync?.engine.stop();
    const closing: Promise<void>[] = [];
    if (this.#hikvision !== undefined) closing.push(this.#hikvision.close());
    if (this.#trailcam !== undefined) closing.push(this.#trailcam.close());
    this.#hikvision = undefined;
    this.#trailcam = undefined;
    await Promise.all(closing);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConfigError(`camera '${this.label}' was closed (redeployed)`);
  }
}
