/**
 * The MQTT bridge: every camera a Home Assistant device, commands back to the cameras. It owns the
 * broker connection (or an embedded broker), the publisher, one CameraDevice per camera, and the
 * bridge's own device. Everything else is in small files: topics, discovery tables, features.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSafe, readLastOnline, splitUserinfo, writeLastOnline } from './bridge-state.js';
import { type CamflowConfig, ensureError, type JobEngine, type Logger, type MqttConfig, noopLogger } from '@camflow/core';
import { CameraDevice } from './camera-device.js';
import { type CameraSource, createCameraSource, type SourceFactory } from './camera-source.js';
import { MqttConnection, type IncomingMessage, redactUrl } from './connection.js';
import { bridgeDeviceId, bridgeDiscovery, type CameraDescription, cameraObjectId, commandTarget, type DiscoveryContext, instanceIdPrefix, type OverlayEntity } from './discovery.js';
import { EmbeddedBroker } from './embedded-broker.js';
import type { CameraContext, Feature } from './feature.js';
import { ClipsFeature } from './features/clips.js';
import { DetectionFeature, type DetectionFeatureOptions } from './features/detection.js';
import { DownloadFeature } from './features/download.js';
import { MotionFeature } from './features/motion.js';
import { OverlayFeature, OverlayHub, overlayEntities } from './features/overlay.js';
import { RecordFeature } from './features/record.js';
import { SnapshotFeature } from './features/snapshot.js';
import { enrolFace, type FaceCommand, parseFaceCommand } from './faces.js';
import { PipelineState } from './pipeline-state.js';
import { Publisher } from './publisher.js';
import { type BridgeTopics, bridgeTopics, type CommandTarget, parseCommand } from './topics.js';

export interface BridgeOptions {
  config: CamflowConfig;
  logger?: Logger;
  /** The bridge's version, shown on its device and as the discovery origin. */
  version?: string;
  /** Home Assistant's birth message triggers a re-publish after a random delay up to this. Default 2000. */
  birthDelayMaxMs?: number;
  /** Broker reconnect backoff. Defaults 1000 and 30000. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Builds each camera's client adapter. Default: core's client for the camera's type. */
  createSource?: SourceFactory;
  /**
   * Where the bridge keeps what must survive a restart (when it was last online, for resuming its
   * MQTT session). Default: nothing is kept; a session is still resumed across reconnects.
   */
  stateDir?: string;
  /** The pipeline this process works: its jobs and detection figures appear on the bridge device. */
  pipeline?: JobEngine;
  /** Object detection per camera (with a pipeline): its labels, how long a label stays on, and whether events start runs. */
  detection?: (cameraId: string) => Omit<DetectionFeatureOptions, 'engine'> | undefined;
}

/** Commands queued by the broker while the bridge was away are carried out if it was away this long at most. */
export const COMMAND_MAX_AGE_MS = 5 * 60_000;
const ONLINE_NOTE_MS = 30_000;
const REFUSAL_LOG_MS = 10_000;

export const DEFAULT_MQTT_CONFIG: MqttConfig = {
  persistent_session: true,
  base_topic: 'camflow',
  discovery_prefix: 'homeassistant',
  embedded: { host: '127.0.0.1', port: 1883 },
  snapshot_interval: 60_000,
  record_duration: 30_000,
  detection_hold: 30_000,
  download_span: 12 * 3_600_000,
};

export class Bridge {
  readonly topics: BridgeTopics;
  readonly #options: BridgeOptions;
  readonly #mqtt: MqttConfig;
  readonly #logger: Logger;
  readonly #discovery: DiscoveryContext;
  #broker: EmbeddedBroker | undefined;
  #connection: MqttConnection | undefined;
  #publisher: Publisher | undefined;
  #devices = new Map<string, CameraDevice>();
  #targets = new Map<string, CommandTarget>();
  #overlays: OverlayHub | undefined;
  #pipelineState: PipelineState | undefined;
  #birthTimer: NodeJS.Timeout | undefined;
  #onlineTimer: NodeJS.Timeout | undefined;
  readonly #refusalLoggedAt = new Map<string, number>();
  /** Commands that arrived before the cameras were set up (a queue handed over at connect): run after. */
  #early: { topic: string; payload: Buffer }[] | undefined = [];
  #unsubscribe: (() => void)[] = [];
  /** In-process readers of everything the bridge publishes (the status page); kept across restarts. */
  readonly #taps = new Set<(topic: string, payload: string | Buffer, retained: boolean) => void>();
  #started = false;

  constructor(options: BridgeOptions) {
    this.#options = options;
    this.#mqtt = options.config.mqtt ?? DEFAULT_MQTT_CONFIG;
    this.#logger = options.logger ?? noopLogger;
    this.topics = bridgeTopics(this.#mqtt.base_topic, this.#mqtt.discovery_prefix);
    this.#discovery = { topics: this.topics, origin: { name: 'camflow', sw: options.version ?? '0.0.0' }, idPrefix: instanceIdPrefix(this.#mqtt.base_topic), pipeline: options.pipeline !== undefined };
  }

  /** The broker the bridge talks to (the embedded one's URL once started), without credentials: fit to print. */
  get brokerUrl(): string | undefined {
    const url = this.#mqtt.url ?? this.#broker?.url;
    return url === undefined ? undefined : redactUrl(url);
  }

  get connected(): boolean {
    return this.#connection?.connected === true;
  }

  /**
   * Starts the embedded broker if no URL is configured, connects (a broker that is down is retried
   * with backoff, not fatal) and starts every camera. Cameras that do not answer show as unavailable.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      await this.#startConnection();
      await this.#startCameras();
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const { topic, payload } of early) void this.#runCommand(topic, payload);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Idempotent: stops every camera, publishes `offline`, disconnects, stops the embedded broker. */
  async stop(): Promise<void> {
    this.#started = false;
    this.#early = [];
    clearTimeout(this.#birthTimer);
    this.#birthTimer = undefined;
    clearInterval(this.#onlineTimer);
    this.#onlineTimer = undefined;
    this.#pipelineState?.stop();
    this.#pipelineState = undefined;
    const devices = [...this.#devices.values()];
    this.#devices.clear();
    this.#targets.clear();
    await this.#overlays?.stop();
    this.#overlays = undefined;
    await Promise.allSettled(devices.map((d) => d.stop()));
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.#connection?.stop();
    this.#connection = undefined;
    this.#publisher = undefined;
    await this.#broker?.stop();
    this.#broker = undefined;
  }

  /**
   * Tells `listener` every state (when it changes) and event the bridge publishes, in process and even
   * while the broker is away. Returns the remover.
   */
  tap(listener: (topic: string, payload: string | Buffer, retained: boolean) => void): () => void {
    this.#taps.add(listener);
    return () => this.#taps.delete(listener);
  }

  /** Resolves once connected to the broker (now, if already). */
  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.#connection === undefined) return Promise.reject(new Error('bridge not started'));
    return this.#connection.waitConnected(signal);
  }

  async #startConnection(): Promise<void> {
    let url = this.#mqtt.url;
    if (url === undefined) {
      const { username, password } = this.#mqtt;
      this.#broker = new EmbeddedBroker({
        ...this.#mqtt.embedded,
        logger: this.#logger.child('broker'),
        ...(username !== undefined && password !== undefined ? { credentials: { username, password } } : {}),
      });
      await this.#broker.start();
      url = this.#broker.url;
    }
    // Credentials written into the URL are taken out here, by hand: mqtt.js would hand the URL to
    // url.parse, whose deprecation warning prints it, and a '#' in a password cuts it short there.
    const split = splitUserinfo(url);
    url = split.url;
    const m = { ...this.#mqtt, ...(split.username === undefined || this.#mqtt.username !== undefined ? {} : { username: split.username }), ...(split.password === undefined || this.#mqtt.password !== undefined ? {} : { password: split.password }) };
    const sessionFile = this.#options.stateDir === undefined ? undefined : join(this.#options.stateDir, `bridge-session-${fileSafe(m.base_topic)}.json`);
    const connection = new MqttConnection({
      url,
      will: { topic: this.topics.bridgeAvailability, payload: 'offline' },
      logger: this.#logger.child('mqtt'),
      ...(m.username === undefined ? {} : { username: m.username }),
      ...(m.password === undefined ? {} : { password: m.password }),
      // Stable per bridge instance: the broker keeps this client's session (and its queued commands).
      // Not with the embedded broker: it lives and dies with the bridge, so it never holds a queue for it.
      ...(this.#broker !== undefined || !m.persistent_session
        ? m.client_id === undefined
          ? {}
          : { clientId: m.client_id }
        : {
            clientId: m.client_id ?? `camflow-bridge-${fileSafe(m.base_topic)}`,
            persistentSession: {
              maxAgeMs: COMMAND_MAX_AGE_MS,
              ...(sessionFile === undefined ? {} : { lastOnlineAt: await readLastOnline(sessionFile), onOnline: (at: number) => void writeLastOnline(sessionFile, at) }),
            },
          }),
      ...(this.#options.reconnectMinMs === undefined ? {} : { reconnectMinMs: this.#options.reconnectMinMs }),
      ...(this.#options.reconnectMaxMs === undefined ? {} : { reconnectMaxMs: this.#options.reconnectMaxMs }),
    });
    const publisher = new Publisher(connection, this.#logger.child('publisher'), this.#discovery.origin.name, bridgeDeviceId(this.#discovery.idPrefix));
    this.#connection = connection;
    this.#publisher = publisher;
    this.#unsubscribe.push(
      publisher.tap((topic, payload, retained) => {
        for (const tap of this.#taps) tap(topic, payload, retained);
      }),
      connection.on('connect', () => publisher.republish()),
      connection.on('message', (message) => this.#onMessage(message)),
    );
    await connection.subscribe([
      ...this.topics.commandSubscriptions,
      this.topics.haStatus,
      this.topics.deviceDiscovery('+'),
    ]);
    const bridge = bridgeDiscovery(this.#discovery);
    await publisher.discovery(bridge.topic, bridge.payload);
    await publisher.state(this.topics.bridgeAvailability, 'online', 1);
    await publisher.state(this.topics.bridgeVersion, this.#discovery.origin.sw);
    await this.#publishCamerasOnline();
    publisher.expect(this.#options.config.cameras.map((camera) => this.topics.deviceDiscovery(cameraObjectId(camera.id, this.#discovery.idPrefix))));
    if (this.#options.pipeline !== undefined) {
      this.#pipelineState = new PipelineState(this.#options.pipeline, publisher, this.topics.bridgeJobs, this.#logger.child('pipeline'));
      this.#pipelineState.start();
    }
    connection.start();
    this.#onlineTimer = setInterval(() => connection.touch(), ONLINE_NOTE_MS);
    this.#onlineTimer.unref();
  }

  async #startCameras(): Promise<void> {
    const publisher = this.#publisher;
    if (publisher === undefined) return;
    const config = this.#options.config;
    const sources = new Map<string, CameraSource>();
    for (const camera of config.cameras) {
      sources.set(camera.id, (this.#options.createSource ?? createCameraSource)(camera, this.#logger.child(camera.id)));
    }
    const clients = new Map([...sources].flatMap(([id, source]) => (source.kind === 'hikvision' ? [[id, source.client] as const] : [])));
    const valuesFile = this.#options.stateDir === undefined ? undefined : join(this.#options.stateDir, `overlay-values-${fileSafe(this.#mqtt.base_topic)}.json`);
    const hub = new OverlayHub(config, clients, publisher, this.topics, this.#logger, valuesFile);
    await hub.restoreValues();
    this.#overlays = hub;
    const devices = config.cameras.map((camera) => {
      const overlays = hub.sync.cameras().some((c) => c.id === camera.id) ? overlayEntities(camera) : [];
      const device: CameraDevice = new CameraDevice({
        camera,
        source: sources.get(camera.id) as CameraSource,
        publisher,
        discovery: this.#discovery,
        logger: this.#logger.child(camera.id),
        overlays,
        features: (context) => this.#features(context, device, overlays),
        onAvailability: () => void this.#publishCamerasOnline(),
        extras: this.#extras(camera.id),
      });
      this.#devices.set(camera.id, device);
      return device;
    });
    await Promise.all(
      devices.map(async (device) => {
        await device.start();
        this.#targets.set(device.id, commandTarget(device.description));
      }),
    );
    hub.start();
  }

  #features(context: CameraContext, device: CameraDevice, overlays: readonly OverlayEntity[]): Feature[] {
    const snapshot = new SnapshotFeature(context, this.#mqtt.snapshot_interval);
    device.setSnapshotRefresher((since) => snapshot.refresh({ force: true, ...(since === undefined ? {} : { since }) }));
    const features: Feature[] = [snapshot];
    if (context.source.events !== undefined) features.push(new MotionFeature(context));
    const engine = this.#options.pipeline;
    if (context.source.startRecording !== undefined || (context.source.recordClip !== undefined && engine !== undefined)) {
      features.push(new RecordFeature(context, this.#mqtt.record_duration / 1000, engine));
    }
    if (overlays.length > 0 && this.#overlays !== undefined) features.push(new OverlayFeature(context, this.#overlays, () => device.description.overlays));
    if (engine !== undefined) {
      features.push(new ClipsFeature(context, engine));
      if (context.source.kind !== 'rtsp') features.push(new DownloadFeature(context, engine, this.#mqtt.download_span / 3_600_000));
      const detection = this.#options.detection?.(context.camera.id);
      if (detection !== undefined) features.push(new DetectionFeature(context, { ...detection, engine }));
    }
    return features;
  }

  /** The pipeline's entities of a camera: the last clip with any pipeline, detection where configured. */
  #extras(cameraId: string): Pick<CameraDescription, 'detection' | 'clips'> {
    if (this.#options.pipeline === undefined) return {};
    const detection = this.#options.detection?.(cameraId);
    return { clips: true, ...(detection === undefined ? {} : { detection: { labels: detection.labels } }) };
  }

  #onMessage(message: IncomingMessage): void {
    const { topic, payload } = message;
    if (topic === this.topics.haStatus) {
      if (payload.toString('utf8').trim() === 'online') this.#scheduleRepublish();
      return;
    }
    if (topic.startsWith(`${this.topics.discoveryPrefix}/device/`)) {
      if (message.retain) void this.#publisher?.adoptRetained(topic, payload);
      return;
    }
    // A retained press would fire again on every reconnect: presses only count when live.
    if (message.retain && topic.endsWith('/press')) return;
    if (message.stale === true) {
      this.#logger.info(`Dropped ${topic}: queued by the broker while the bridge was away for more than ${COMMAND_MAX_AGE_MS / 60_000} min`);
      return;
    }
    if (this.#early !== undefined) {
      if (this.#early.length < 100) this.#early.push({ topic, payload });
      return;
    }
    void this.#runCommand(topic, payload);
  }

  async #runCommand(topic: string, payload: Buffer): Promise<void> {
    const face = parseFaceCommand(this.topics.base, topic, payload, new Set(this.#devices.keys()));
    if (face !== undefined) {
      await this.#enrolFace(topic, face);
      return;
    }
    const parsed = parseCommand(this.topics.base, topic, payload, this.#targets);
    if (!parsed.ok) {
      await this.#reportCommandError(topic, parsed.error);
      return;
    }
    const device = this.#devices.get(parsed.command.camera);
    try {
      await device?.handle(parsed.command);
    } catch (error) {
      await this.#reportCommandError(topic, ensureError(error).message);
    }
  }

  async #enrolFace(topic: string, face: FaceCommand | string): Promise<void> {
    if (typeof face === 'string') return this.#reportCommandError(topic, face);
    const engine = this.#options.pipeline;
    if (engine === undefined) return this.#reportCommandError(topic, 'face enrolment runs on the pipeline, which this bridge does not work (pipeline.workers: false)');
    try {
      const enrolled = await enrolFace(engine, face, join(this.#options.stateDir ?? tmpdir(), 'faces-inbox'));
      this.#logger.info(`Face of ${enrolled.name} enrolled (${enrolled.samples} samples)`);
      await this.#publisher?.event(this.topics.bridgeFaceEnrolled, JSON.stringify(enrolled));
    } catch (error) {
      await this.#reportCommandError(topic, ensureError(error).message);
    }
  }

  async #reportCommandError(topic: string, error: string): Promise<void> {
    // Every refusal goes to bridge/error; the log gets one warning per topic every 10 s, not a flood.
    const now = Date.now();
    const last = this.#refusalLoggedAt.get(topic) ?? 0;
    if (now - last >= REFUSAL_LOG_MS) {
      if (this.#refusalLoggedAt.size > 1000) this.#refusalLoggedAt.clear();
      this.#refusalLoggedAt.set(topic, now);
      this.#logger.warn(`Command on ${topic} refused: ${error}`);
    } else this.#logger.debug(`Command on ${topic} refused: ${error}`);
    await this.#publisher?.event(this.topics.bridgeError, JSON.stringify({ topic, error }));
  }

  /** Home Assistant came (back) online: it forgot non-retained state; a random delay avoids a stampede. */
  #scheduleRepublish(): void {
    if (this.#birthTimer !== undefined) return;
    const delay = Math.round(Math.random() * (this.#options.birthDelayMaxMs ?? 2000));
    this.#birthTimer = setTimeout(() => {
      this.#birthTimer = undefined;
      void this.#publisher?.republish();
    }, delay);
  }

  async #publishCamerasOnline(): Promise<void> {
    const online = [...this.#devices.values()].filter((d) => d.online).length;
    await this.#publisher?.state(this.topics.bridgeCamerasOnline, String(online));
  }
}
