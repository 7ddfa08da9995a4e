import { ConfigError, HikvisionClient, OverlaySync, type CameraEvent, type Logger } from '@camflow/core';

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
  #sync: { engine: OverlaySync; users: Set<string> } | undefined;
  #closed = false;

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

  /** A JPEG from the camera, whatever its kind. */
  async snapshot(signal: AbortSignal): Promise<Buffer> {
    return this.hikvision().snapshot(this.settings.channel, { signal });
  }

  /** The camera's event stream (one alert stream per camera, shared inside the client). */
  events(signal: AbortSignal): AsyncIterable<CameraEvent> {
    return this.hikvision().events({ signal });
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sync = this.#sync;
    this.#sync = undefined;
    await sync?.engine.stop();
    const hikvision = this.#hikvision;
    this.#hikvision = undefined;
    await hikvision?.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ConfigError(`camera '${this.label}' was closed (redeployed)`);
  }
}
