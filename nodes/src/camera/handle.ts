import {
  cameraConfig,
  ConfigError,
  createCamera,
  OverlaySync,
  type Camera,
  type CameraConfig,
  type HikvisionClient,
  isAbortError,
  type Logger,
  type OverlayTarget,
  type PathMode,
  type RaceReport,
  type TlsOption,
  type TrailCamClient,
} from '@camflow/core';

/** How long closing a camera waits for the nodes using it (Node-RED gives up on a close after 15 s). */
const USERS_CLOSE_MS = 10_000;

/** Id of the camera inside its own overlay sync engine (one engine per camera). */
export const SYNC_CAMERA_ID = 'camera';

export type CameraKind = Camera['kind'];

/** What a `camflow-camera` config node holds: its properties plus the credentials from the store. */
export interface CameraSettings {
  name: string;
  kind: CameraKind;
  host: string;
  port?: number;
  /**
   * HTTPS and how the certificate is checked, as in camflow.yaml: `false` plain HTTP, `true` the system
   * CAs, a CA file, a pinned SHA-256 fingerprint (self-signed cameras), or verification off (insecure).
   */
  tls: TlsOption;
  /** P2P: directory servers (`host:port`), relay through them, the LAN search port. */
  servers?: readonly string[];
  relay?: boolean;
  lanPort?: number;
  /** P2P: hold a P2P/relay success this long for a LAN/direct one; delay between path starts; allowed networks. */
  lanGraceMs?: number;
  staggerMs?: number;
  allowedCidrs?: readonly string[];
  /** Hikvision video channel (1-based). */
  channel: number;
  /** P2P device id, e.g. LBCS-000000-CCCJJ. */
  did: string;
  /** RTSP: the stream URL (no credentials in it) and the pre-event buffer in seconds (0: off). */
  url?: string;
  preEventS?: number;
  /** Ring: the device's name or id, and the folder with the login (`camflow ring login --data-dir`). */
  device?: string;
  ringDataDir?: string;
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
  #camera: Camera | undefined;
  #sync: { engine: OverlaySync; users: Set<string> } | undefined;
  /** What the overlay sync last met talking to the camera, with its `code` (the engine keeps only text). */
  #overlaySyncError: Error | undefined;
  #closed = false;
  /** Nodes using this camera: close() lets them finish (stop a recording) before the clients go. */
  readonly #users = new Set<{ readonly closed: Promise<void> }>();

  constructor(settings: CameraSettings, logger: Logger) {
    this.settings = settings;
    this.#logger = logger;
  }

  get label(): string {
    return this.settings.name || this.settings.host || this.settings.did || this.settings.device || hostOf(this.settings.url) || 'camera';
  }

  /** The camera, whatever its kind (clients do no I/O until used). */
  camera(): Camera {
    this.#assertOpen();
    this.#camera ??= createCamera(coreConfigOf(this.settings, this.label), this.#logger);
    return this.#camera;
  }

  /** The ISAPI client; a ConfigError for a camera of another kind. */
  hikvision(): HikvisionClient {
    const camera = this.camera();
    if (camera.kind !== 'hikvision') throw this.#wrongKind('a Hikvision');
    return camera.client;
  }

  /** The TrailCam P2P client; a ConfigError for a camera of another kind. */
  trailcam(): TrailCamClient {
    const camera = this.camera();
    if (camera.kind !== 'p2p') throw this.#wrongKind('a P2P');
    return camera.client;
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

  /**
   * The camera's overlay sync engine, shared by every overlay node that keeps this camera in sync. The
   * first user's interval wins; the loop runs while at least one user holds it.
   */
  acquireOverlaySync(user: string, intervalMs: number): OverlaySync {
    const client = this.hikvision();
    this.#sync ??= {
      engine: new OverlaySync({
        cameras: [
          {
            id: SYNC_CAMERA_ID,
            name: this.label,
            channel: this.settings.channel,
            overlays: [],
            target: observedTarget(client, (error) => (this.#overlaySyncError = error)),
          },
        ],
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

  /**
   * The last error the overlay sync met talking to this camera (AuthError, TimeoutError, ...), so the
   * overlay nodes can report a failing camera with the right words; undefined until one happens.
   */
  get overlaySyncError(): Error | undefined {
    return this.#overlaySyncError;
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
    const camera = this.#camera;
    this.#camera = undefined;
    await camera?.close();
  }

  #wrongKind(what: string): ConfigError {
    return new ConfigError(`camera '${this.label}' is a ${this.settings.kind} camera, not ${what} camera`);
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConfigError(`camera '${this.label}' was closed (redeployed)`);
  }
}

/**
 * The client as the overlay sync's target, reporting each error a call meets. The text limit is left
 * out: the engine falls back to the usual limit when a device cannot tell, so its errors are not failures.
 */
function observedTarget(client: HikvisionClient, onError: (error: Error) => void): OverlayTarget {
  const watch = <T>(call: Promise<T>): Promise<T> =>
    call.catch((error: unknown) => {
      if (error instanceof Error && !isAbortError(error)) onError(error);
      throw error;
    });
  return {
    getTextOverlays: (channel, options) => watch(client.getTextOverlays(channel, options)),
    setTextOverlays: (channel, overlays, options) => watch(client.setTextOverlays(channel, overlays, options)),
    setTextOverlay: (channel, overlay, options) => watch(client.setTextOverlay(channel, overlay, options)),
    textLimit: (channel, options) => client.textLimit(channel, options),
    close: () => client.close(),
  };
}

/** The config-node settings as core's camera config (already checked by the editor; not re-parsed). */
function hostOf(url: string | undefined): string {
  try {
    return url === undefined || url === '' ? '' : new URL(url).host;
  } catch {
    return '';
  }
}

/** Camera ids in core are lower-case words; a Node-RED label may be anything. */
function coreId(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'camera';
}

function coreConfigOf(s: Readonly<CameraSettings>, id: string): CameraConfig {
  if (s.kind === 'rtsp' || s.kind === 'ring') {
    // Through core's schema: its defaults, and its clear words for a wrong URL.
    const raw =
      s.kind === 'rtsp'
        ? { id: coreId(id), name: id, type: 'rtsp', url: s.url ?? '', ...(s.username === '' ? {} : { username: s.username }), ...(s.password === '' ? {} : { password: s.password }), pre_event: (s.preEventS ?? 0) * 1000, timeout: s.timeoutMs }
        : { id: coreId(id), name: id, type: 'ring', device: s.device ?? '', ...(s.ringDataDir === undefined ? {} : { data_dir: s.ringDataDir }), timeout: Math.max(s.timeoutMs, 15_000) };
    const parsed = cameraConfig.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`camera ${id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }
  if (s.kind === 'p2p') {
    return {
      id,
      type: 'p2p',
      did: s.did,
      ...(s.host === '' ? {} : { host: s.host }),
      ...(s.port === undefined ? {} : { ports: [s.port] }),
      ...(s.lanPort === undefined ? {} : { lan_port: s.lanPort }),
      servers: [...(s.servers ?? [])],
      // Relay needs servers to relay through.
      relay: s.relay === true && (s.servers ?? []).length > 0,
      username: s.username || 'admin',
      password: s.password,
      timeout: s.timeoutMs,
      stagger: s.staggerMs ?? 0,
      lan_grace: s.lanGraceMs ?? 0,
      ...((s.allowedCidrs ?? []).length === 0 ? {} : { allowed_cidrs: [...(s.allowedCidrs ?? [])] }),
    };
  }
  return {
    id,
    type: 'hikvision',
    host: s.host,
    ...(s.port === undefined ? {} : { port: s.port }),
    tls: s.tls,
    username: s.username,
    password: s.password,
    channel: s.channel,
    timeout: s.timeoutMs,
    connections: 4,
    auth_backoff: 300_000,
    allow_basic_over_http: false,
    overlays: [],
  };
}
