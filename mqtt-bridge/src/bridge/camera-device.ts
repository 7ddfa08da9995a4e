/**
 * One camera as a Home Assistant device: its discovery (re-published when what the camera says about
 * itself changes), its availability (online while it answers), its last error, and its features.
 */
import {
  AuthError,
  type CallOptions,
  type CameraConfig,
  ConnectionError,
  RaceError,
  isAbortError,
  type Logger,
  redactText,
  TimeoutError,
} from '@camflow/core';
import type { CameraSource } from './camera-source.js';
import { type CameraDescription, type CameraDetails, cameraDiscovery, type DiscoveryContext, type OverlayEntity } from './discovery.js';
import type { CameraContext, Feature } from './feature.js';
import type { Publisher } from './publisher.js';
import type { BridgeCommand } from './topics.js';

export interface CameraDeviceOptions {
  camera: CameraConfig;
  source: CameraSource;
  publisher: Publisher;
  discovery: DiscoveryContext;
  logger: Logger;
  /** Builds this camera's features from its context. */
  features: (context: CameraContext) => Feature[];
  /** Overlay text entities (empty for cameras without overlays). */
  overlays: readonly OverlayEntity[];
  /** Told whenever the camera goes online or offline. */
  onAvailability: (online: boolean) => void;
  /** Pipeline entities of this camera: detection (its labels) and the last clip. */
  extras?: Pick<CameraDescription, 'detection' | 'clips'>;
}

export class CameraDevice {
  readonly id: string;
  readonly #o: CameraDeviceOptions;
  readonly #topics;
  #controller = new AbortController();
  #features: Feature[] = [];
  #details: CameraDetails | undefined;
  #overlays: OverlayEntity[];
  #online: boolean | undefined;
  #lastErrorKey: string | undefined;
  #context: CameraContext | undefined;
  #refreshSnapshot: (since?: number) => Promise<boolean> = () => Promise.resolve(false);

  constructor(options: CameraDeviceOptions) {
    this.#o = options;
    this.id = options.camera.id;
    this.#topics = options.discovery.topics.camera(this.id);
    this.#overlays = [...options.overlays];
  }

  get online(): boolean {
    return this.#online === true;
  }

  get description(): CameraDescription {
    const camera = this.#o.camera;
    return {
      id: camera.id,
      name: camera.name ?? camera.id,
      kind: camera.type,
      ...(this.#details === undefined ? {} : { details: this.#details }),
      overlays: this.#overlays,
      ...this.#o.extras,
    };
  }

  /** Asks the camera who it is (bounded by its timeout), publishes discovery, then starts the features. */
  async start(): Promise<void> {
    if (this.#context !== undefined) return;
    this.#controller = new AbortController();
    const context = this.#makeContext();
    this.#context = context;
    await this.#readDetails();
    await this.#publishDiscovery();
    if (this.#online === undefined) await this.#o.publisher.state(this.#topics.availability, 'offline', 1);
    this.#features = this.#o.features(context);
    for (const feature of this.#features) await feature.start();
  }

  async stop(): Promise<void> {
    this.#controller.abort(new Error('stopped'));
    const features = this.#features;
    this.#features = [];
    this.#context = undefined;
    await Promise.allSettled(features.map((f) => f.stop()));
    await this.#o.source.close();
  }

  /** Runs a validated command; the features that own its kind do the work. */
  async handle(command: BridgeCommand): Promise<void> {
    for (const feature of this.#features) await feature.handle?.(command);
  }

  /** Lets the snapshot feature serve the context's shared refresh. */
  setSnapshotRefresher(refresh: (since?: number) => Promise<boolean>): void {
    this.#refreshSnapshot = refresh;
  }

  #makeContext(): CameraContext {
    const signal = this.#controller.signal;
    const timeoutMs = this.#o.camera.timeout;
    return {
      camera: this.#o.camera,
      topics: this.#topics,
      source: this.#o.source,
      publisher: this.#o.publisher,
      logger: this.#o.logger,
      signal,
      callOptions: (): CallOptions => ({ signal, timeoutMs }),
      reportSuccess: () => this.#setOnline(true),
      reportFailure: (error, what) => this.#onFailure(error, what),
      refreshSnapshot: (since) => this.#refreshSnapshot(since),
    };
  }

  async #readDetails(): Promise<boolean> {
    const options: CallOptions = { signal: this.#controller.signal, timeoutMs: this.#o.camera.timeout };
    try {
      this.#details = await this.#o.source.details(options);
      const limit = await this.#o.source.textLimit?.(options);
      if (limit !== undefined) this.#overlays = this.#overlays.map((o) => ({ ...o, max: Math.max(0, limit - (o.reserved ?? 0)) }));
      this.#setOnline(true);
      return true;
    } catch (error) {
      if (!this.#controller.signal.aborted) this.#onFailure(error, 'device info');
      return false;
    }
  }

  #publishDiscovery(): Promise<void> {
    const { topic, payload } = cameraDiscovery(this.description, this.#o.discovery);
    return this.#o.publisher.discovery(topic, payload);
  }

  #setOnline(online: boolean): void {
    if (this.#online === online) return;
    const wasOffline = this.#online === false;
    this.#online = online;
    this.#o.logger.info(`Camera '${this.id}' is ${online ? 'online' : 'offline'}`);
    void this.#o.publisher.state(this.#topics.availability, online ? 'online' : 'offline', 1);
    this.#o.onAvailability(online);
    if (online && wasOffline) void this.#resync();
  }

  /** Back after being unreachable: it may have rebooted (new firmware, lost overlays), so re-read and re-sync. */
  async #resync(): Promise<void> {
    if (await this.#readDetails()) await this.#publishDiscovery();
    for (const feature of this.#features) await feature.resync?.();
  }

  #onFailure(error: unknown, what: string): void {
    if (isAbortError(error) && this.#controller.signal.aborted) return;
    const message = redactText(error instanceof Error ? error.message : String(error));
    const line = `${what}: ${message}`.slice(0, 255);
    // The same failure every poll is one warning, not a log flood (a parked camera's message counts
    // its seconds down, so refused credentials are the same failure whatever the number).
    const key = error instanceof AuthError ? `${what}: credentials refused` : line;
    if (key === this.#lastErrorKey) this.#o.logger.debug(`Camera '${this.id}': ${line}`);
    else this.#o.logger.warn(`Camera '${this.id}': ${what} failed: ${message}`);
    this.#lastErrorKey = key;
    void this.#o.publisher.state(this.#topics.lastError, line);
    // A P2P camera that no path reached (RaceError) is as unreachable as a refused connection.
    if (error instanceof ConnectionError || error instanceof TimeoutError || error instanceof AuthError || error instanceof RaceError || isNetworkError(error)) {
      this.#setOnline(false);
    }
  }
}

/** Errors from below core's typed ones (a raw socket error) still mean "not answering". */
function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR)/.test(code);
}
