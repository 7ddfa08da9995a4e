/**
 * One camera in HomeKit: a camera controller (snapshots from a cache, live video), a motion sensor
 * fed by the camera's events, a doorbell for kinds that ring, and switches (record, overlay sync).
 * Every onGet answers from `#state`, which start() keeps current; nothing there waits on the camera.
 */
import type { API, CharacteristicValue, PlatformAccessory, Service } from 'homebridge';
import { type Camera, type CameraEvent, type CamflowConfig, type DetectionService, type JobEngine, labelGroup, type LiveVideo, type Logger, OverlaySync, overlayCameraSpec, takeFrames, urlLiveVideo } from '@camflow/core';
import { StreamingDelegate } from './streaming.js';
import type { PluginOptions } from './options.js';

/** What each camera kind brings to HomeKit. A new kind (ring) is one row. */
interface KindFeatures {
  /** Event types (lower case, as core parses them) that mean motion. */
  motionTypes: readonly string[];
  /** Event types that mean someone rang; a Doorbell service is added when non-empty. */
  dingTypes: readonly string[];
}

/*
 * HAP's const enums cannot be read through `api.hap` under verbatimModuleSyntax (ambient const
 * enums); their values are fixed by the HAP specification.
 */
const AES_CM_128_HMAC_SHA1_80 = 0;
const H264_PROFILES = [0, 1, 2]; // baseline, main, high
const H264_LEVELS = [0, 1, 2]; // 3.1, 3.2, 4.0
const SERVICE_COMMUNICATION_FAILURE = -70402;

const KINDS: Record<string, KindFeatures> = {
  hikvision: {
    motionTypes: ['vmd', 'linedetection', 'fielddetection', 'regionentrance', 'regionexiting', 'pir'],
    dingTypes: [],
  },
  p2p: { motionTypes: ['motion', 'pir', 'vmd'], dingTypes: [] },
  ring: { motionTypes: ['motion'], dingTypes: ['ding'] },
};

export interface CameraAccessoryOptions {
  api: API;
  accessory: PlatformAccessory;
  camera: Camera;
  cameraConfig: CamflowConfig['cameras'][number];
  config: CamflowConfig;
  options: PluginOptions;
  /** The shared detector, for motion only when one of `motion_labels` is seen. */
  detection?: () => DetectionService;
  /** The plugin's pipeline: the Record switch runs a `record` job on it. */
  pipeline?: () => Promise<JobEngine>;
  logger: Logger;
}

interface State {
  online: boolean;
  motion: boolean;
  recording: boolean;
  overlaySync: boolean;
}

export class CameraAccessory {
  readonly #o: CameraAccessoryOptions;
  readonly #features: KindFeatures;
  readonly #streaming: StreamingDelegate;
  readonly #state: State = { online: false, motion: false, recording: false, overlaySync: false };
  #jpeg: Buffer | undefined;
  #reported = false;
  #inFlight: Promise<Buffer> | undefined;
  #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #motionTimer: NodeJS.Timeout | undefined;
  #sync: OverlaySync | undefined;
  #motion: Service | undefined;
  #doorbell: Service | undefined;
  readonly #switches = new Map<'recording' | 'overlaySync', Service>();

  constructor(options: CameraAccessoryOptions) {
    this.#o = options;
    this.#features = KINDS[options.camera.kind] ?? { motionTypes: [], dingTypes: [] };
    const configured = options.options.streams[options.camera.id];
    this.#streaming = new StreamingDelegate({
      hap: options.api.hap,
      logger: options.logger.child('stream'),
      ffmpeg: options.options.ffmpeg,
      source: this.#liveSource(),
      video: configured?.video ?? 'auto',
      snapshot: () => this.snapshot(),
    });
    this.#setUp();
  }

  /** The cached JPEG at once; the first request waits for the first fetch. */
  snapshot(): Promise<Buffer> {
    if (this.#jpeg !== undefined) return Promise.resolve(this.#jpeg);
    return this.#refresh();
  }

  start(): void {
    if (this.#o.camera.kind === 'ring') void this.#checkDoorbell();
    void this.#refresh().catch(() => undefined);
    this.#timer = setInterval(() => void this.#refresh().catch(() => undefined), this.#o.options.snapshotInterval * 1000);
    if (this.#o.camera.events !== undefined) void this.#watch(this.#o.camera.events.bind(this.#o.camera));
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    clearInterval(this.#timer);
    clearTimeout(this.#motionTimer);
    await Promise.all([this.#streaming.stop(), this.#sync?.stop()]);
    await this.#o.camera.close();
  }

  #addDoorbell(): void {
    const { Service, Characteristic } = this.#o.api.hap;
    this.#doorbell = this.#o.accessory.getService(Service.Doorbell) ?? this.#o.accessory.addService(Service.Doorbell);
    this.#doorbell.getCharacteristic(Characteristic.ProgrammableSwitchEvent).onGet(() => {
      this.#read('online');
      return null;
    });
  }

  /** Adds the Doorbell service to a Ring doorbell, removes a cached one from a stick-up cam. */
  async #checkDoorbell(): Promise<void> {
    const { api, accessory, camera } = this.#o;
    let doorbell: boolean;
    try {
      doorbell = (await camera.details({ signal: this.#controller.signal })).doorbell === true;
    } catch (error) {
      this.#o.logger.warn(`could not tell whether it is a doorbell: ${(error as Error).message}`);
      return;
    }
    const cached = accessory.getService(api.hap.Service.Doorbell);
    if (doorbell) this.#o.logger.info('a Ring doorbell: rings are sent to the Home app');
    if (doorbell === (cached !== undefined)) return;
    if (doorbell) this.#addDoorbell();
    else if (cached !== undefined) {
      accessory.removeService(cached);
      this.#doorbell = undefined;
    }
    api.updatePlatformAccessories([accessory]);
  }

  /** A `streams` URL in the plugin config wins; otherwise the camera's own live video (RTSP, Ring's WebRTC). */
  #liveSource(): (() => Promise<LiveVideo>) | undefined {
    const url = this.#o.options.streams[this.#o.camera.id]?.url;
    if (url !== undefined) return () => Promise.resolve(urlLiveVideo(url));
    const camera = this.#o.camera;
    if (camera.liveVideo === undefined) return undefined;
    return () => camera.liveVideo!({ signal: this.#controller.signal });
  }

  #setUp(): void {
    const { api, accessory, camera, cameraConfig } = this.#o;
    const { Service, Characteristic } = api.hap;
    accessory.getService(Service.AccessoryInformation)
      ?.setCharacteristic(Characteristic.Manufacturer, camera.kind === 'hikvision' ? 'Hikvision' : 'camflow')
      .setCharacteristic(Characteristic.Model, camera.kind)
      .setCharacteristic(Characteristic.SerialNumber, camera.id);
    const controller = new api.hap.CameraController({
      cameraStreamCount: 2,
      delegate: this.#streaming,
      streamingOptions: {
        supportedCryptoSuites: [AES_CM_128_HMAC_SHA1_80],
        video: {
          resolutions: [[1920, 1080, 30], [1280, 720, 30], [640, 360, 30], [480, 270, 30], [320, 240, 15]],
          codec: {
            profiles: H264_PROFILES,
            levels: H264_LEVELS,
          },
        },
      },
    });
    this.#streaming.controller = controller;
    accessory.configureController(controller);

    this.#motion = accessory.getService(Service.MotionSensor) ?? accessory.addService(Service.MotionSensor, `${cameraConfig.name ?? camera.id} Motion`);
    this.#motion.getCharacteristic(Characteristic.MotionDetected).onGet(() => this.#read('motion'));

    // A Ring device is a doorbell or a stick-up cam, known from its details (#checkDoorbell); other kinds from the table.
    if (this.#features.dingTypes.length > 0 && (camera.kind !== 'ring' || accessory.getService(Service.Doorbell) !== undefined)) this.#addDoorbell();

    const name = cameraConfig.name ?? camera.id;
    const wanted: ['recording' | 'overlaySync', string, boolean][] = [
      ['recording', 'Record', camera.startRecording !== undefined || camera.recordClip !== undefined],
      ['overlaySync', 'Overlay sync', cameraConfig.type === 'hikvision' && cameraConfig.overlays.length > 0],
    ];
    for (const [key, label, present] of wanted) {
      const existing = accessory.getServiceById(Service.Switch, key);
      if (!present) {
        if (existing !== undefined) accessory.removeService(existing);
        continue;
      }
      const service = existing ?? accessory.addService(Service.Switch, `${name} ${label}`, key);
      service.getCharacteristic(Characteristic.On)
        .onGet(() => this.#read(key))
        .onSet((value) => this.#toggle(key, value));
      this.#switches.set(key, service);
    }
  }

  /** Current state, or "not responding" while the camera is offline. */
  #read(key: keyof State): boolean {
    if (!this.#state.online) throw new this.#o.api.hap.HapStatusError(SERVICE_COMMUNICATION_FAILURE);
    return this.#state[key];
  }

  get cameraId(): string {
    return this.#o.camera.id;
  }

  get camera(): Camera {
    return this.#o.camera;
  }

  get state(): Readonly<State> {
    return this.#state;
  }

  async #toggle(key: 'recording' | 'overlaySync', value: CharacteristicValue): Promise<void> {
    const on = value === true || value === 1;
    const { camera, logger } = this.#o;
    try {
      if (key === 'recording') {
        await this.#record(on);
      } else if (on && this.#sync === undefined) {
        if (this.#o.cameraConfig.type !== 'hikvision' || camera.kind !== 'hikvision') return;
        // A fresh engine each time: stop() releases it completely.
        this.#sync = new OverlaySync({
          cameras: [overlayCameraSpec(this.#o.cameraConfig, camera.client)],
          intervalMs: this.#o.config.overlay_sync.interval,
          timeoutMs: this.#o.config.overlay_sync.timeout,
          resyncMs: this.#o.config.overlay_sync.resync,
          logger: logger.child('overlay'),
          logUpdates: false,
        });
        this.#sync.start();
        logger.info('overlay sync on');
      } else if (!on && this.#sync !== undefined) {
        const sync = this.#sync;
        this.#sync = undefined;
        await sync.stop();
        logger.info('overlay sync off');
      }
      this.#state[key] = on;
    } catch (error) {
      logger.warn(`${key === 'recording' ? 'record' : 'overlay sync'} switch failed: ${(error as Error).message}`);
      throw new this.#o.api.hap.HapStatusError(SERVICE_COMMUNICATION_FAILURE);
    }
  }

  #recordJob: string | undefined;

  /**
   * Record on: a `record` job for `record_seconds` (a Hikvision camera records on its own storage, an
   * RTSP camera into the media folder); the switch turns itself off when the job ends. Off: cancelled.
   */
  async #record(on: boolean): Promise<void> {
    const { camera, logger } = this.#o;
    const engine = await this.#o.pipeline?.();
    if (engine === undefined) throw new Error('no pipeline to record with');
    if (!on) {
      const id = this.#recordJob;
      this.#recordJob = undefined;
      if (id !== undefined) await engine.cancel(id);
      logger.info('recording stopped');
      return;
    }
    if (this.#recordJob !== undefined) return;
    const job = await engine.add('record', { camera: camera.id, seconds: this.#o.options.recordSeconds });
    this.#recordJob = job.id;
    logger.info(`recording ${this.#o.options.recordSeconds} s (job ${job.id})`);
    const done = async (): Promise<void> => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (this.#recordJob !== job.id) return;
        const now = await engine.get(job.id);
        if (now === undefined || now.state === 'completed' || now.state === 'failed' || now.state === 'cancelled') {
          if (now?.state === 'failed') logger.warn(`recording failed: ${now.error ?? 'no reason given'}`);
          this.#recordJob = undefined;
          this.#state.recording = false;
          this.#switches.get('recording')?.updateCharacteristic(this.#o.api.hap.Characteristic.On, false);
          return;
        }
      }
    };
    void done();
  }

  /** Fetches a fresh JPEG; concurrent callers share one request. */
  #refresh(): Promise<Buffer> {
    this.#inFlight ??= this.#o.camera
      .snapshot({ signal: AbortSignal.any([this.#controller.signal, AbortSignal.timeout(10_000)]) })
      .then((jpeg) => {
        this.#jpeg = jpeg;
        this.#setOnline(true);
        return jpeg;
      })
      .catch((error: unknown) => {
        this.#setOnline(false, (error as Error).message);
        throw error;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  #setOnline(online: boolean, reason?: string): void {
    // The first outcome is always reported: a camera that never answered is news too.
    if (this.#state.online === online && this.#reported) return;
    this.#reported = true;
    this.#state.online = online;
    if (online) this.#o.logger.info('camera answers');
    else {
      this.#o.logger.warn(`camera not responding: ${reason ?? 'unknown'}`);
      this.#jpeg = undefined; // never show an old picture as current
    }
  }

  async #watch(events: (signal: AbortSignal) => AsyncIterable<CameraEvent>): Promise<void> {
    try {
      for await (const event of events(this.#controller.signal)) this.#onEvent(event);
    } catch (error) {
      if (!this.#controller.signal.aborted) this.#o.logger.warn(`event stream ended: ${(error as Error).message}`);
    }
  }

  /** A motion event from the camera (whether it counts may still depend on what detection sees). */
  #isMotion(event: CameraEvent): boolean {
    return this.#features.motionTypes.includes(event.type.toLowerCase());
  }

  #detecting = false;

  /**
   * With `motion_labels` (person, vehicle, animal, or COCO labels), the camera's motion only counts
   * when detection sees one of them: a person at the door, not a tree in the wind. One run at a time.
   */
  async #detectMotion(event: CameraEvent): Promise<void> {
    const service = this.#o.detection?.();
    if (service === undefined || this.#detecting) return;
    this.#detecting = true;
    try {
      const signal = this.#controller.signal;
      const settings = service.cameraConfig(this.#o.camera.id);
      const frames = await takeFrames(this.#o.camera, settings.frames, settings.interval, signal);
      const labels = this.#o.options.motionLabels;
      const detections = await service.detect(this.#o.camera.id, event.id ?? `${this.#o.camera.id}-${event.type}-${event.time.getTime()}`, frames, signal, {
        labels: [...labels],
        minScore: settings.min_score,
        zones: settings.zones,
        faces: false,
      });
      const seen = detections.filter((d) => labels.includes(d.label) || labels.includes(labelGroup(d.label)));
      if (seen.length === 0) {
        this.#o.logger.info(`motion without ${labels.join('/')}: not reported`);
        return;
      }
      this.#o.logger.info(`motion: ${seen.map((d) => `${d.label} ${Math.round(d.score * 100)}%`).join(', ')}`);
      clearTimeout(this.#motionTimer);
      this.#motionTimer = setTimeout(() => this.#setMotion(false), this.#o.options.motionTimeout * 1000);
      this.#setMotion(true);
    } catch (error) {
      if (!this.#controller.signal.aborted) this.#o.logger.warn(`detection failed: ${(error as Error).message}`);
    } finally {
      this.#detecting = false;
    }
  }

  #onEvent(event: CameraEvent): void {
    this.#o.logger.debug(`event ${event.type} ${event.state}`);
    const { Characteristic } = this.#o.api.hap;
    if (this.#features.dingTypes.includes(event.type) && event.state === 'active') {
      this.#doorbell?.updateCharacteristic(Characteristic.ProgrammableSwitchEvent, Characteristic.ProgrammableSwitchEvent.SINGLE_PRESS);
      return;
    }
    if (!this.#isMotion(event)) return;
    if (this.#o.options.motionLabels.length > 0) {
      // Motion is what detection sees; the sensor goes off by the timeout, not the camera's edge.
      if (event.state === 'active') void this.#detectMotion(event);
      return;
    }
    const active = event.state === 'active';
    clearTimeout(this.#motionTimer);
    if (active) {
      // Cameras do not always send the inactive edge: fall back to a timeout.
      this.#motionTimer = setTimeout(() => this.#setMotion(false), this.#o.options.motionTimeout * 1000);
      void this.#refresh().catch(() => undefined); // the picture a notification shows is the one that moved
    }
    this.#setMotion(active);
  }

  #setMotion(motion: boolean): void {
    if (this.#state.motion === motion) return;
    this.#state.motion = motion;
    this.#motion?.updateCharacteristic(this.#o.api.hap.Characteristic.MotionDetected, motion);
  }
}
