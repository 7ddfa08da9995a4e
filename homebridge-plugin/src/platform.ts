/**
 * The `Camflow` dynamic platform: reads the camflow config from its block of config.json, keeps one
 * accessory per camera (UUID from the camera id), restores them from Homebridge's cache and removes
 * the ones no longer configured. A bad config logs one line per problem and the platform does nothing.
 */
import type { API, DynamicPlatformPlugin, Logging, PlatformAccessory, PlatformConfig } from 'homebridge';
import { resolve } from 'node:path';
import { ConfigError, createCamera, createLogger, createPipeline, DetectionService, type CamflowConfig, type JobEngine, type Logger, type LogRecord, type Pipeline } from '@camflow/core';
import { CameraAccessory } from './camera-accessory.js';
import { PLATFORM_NAME, PLUGIN_NAME } from './names.js';
import { type PluginOptions, splitPlatformConfig } from './options.js';

/** HAP accessory category 17 (camera); `hap.Categories` is an ambient const enum. */
const CATEGORY_CAMERA = 17;

export class CamflowPlatform implements DynamicPlatformPlugin {
  readonly #log: Logging;
  readonly #api: API;
  readonly #logger: Logger;
  readonly #cached = new Map<string, PlatformAccessory>();
  readonly #cameras: CameraAccessory[] = [];
  #parsed: { config: CamflowConfig; options: PluginOptions } | undefined;

  constructor(log: Logging, platformConfig: PlatformConfig, api: API) {
    this.#log = log;
    this.#api = api;
    // core's logger redacts every registered secret before Homebridge's logger sees the line.
    this.#logger = createLogger({ sink: (record) => this.#write(record), level: 'debug', namespace: 'camflow' });
    try {
      this.#parsed = splitPlatformConfig(platformConfig as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Homebridge keeps running; this platform stays idle until the config is fixed.
      for (const line of error.message.split('\n')) log.error(line);
      log.error('camflow: no camera is set up until the config is fixed');
    }
    api.on('didFinishLaunching', () => this.#launch());
    api.on('shutdown', () => void this.#shutdown());
  }

  /** Homebridge hands back each cached accessory before didFinishLaunching. */
  configureAccessory(accessory: PlatformAccessory): void {
    this.#cached.set(accessory.UUID, accessory);
  }

  #write(record: LogRecord): void {
    const where = record.namespace.replace(/^camflow:?/, '');
    const text = where === '' ? record.message : `[${where}] ${record.message}`;
    if (record.level === 'error') this.#log.error(text);
    else if (record.level === 'warn') this.#log.warn(text);
    else if (record.level === 'info') this.#log.info(text);
    else this.#log.debug(text);
  }

  #launch(): void {
    if (this.#parsed === undefined) return;
    const { config, options } = this.#parsed;
    const { hap } = this.#api;
    const keep = new Set<string>();
    for (const cameraConfig of config.cameras) {
      // The Ring login lives in Homebridge's storage (`camflow ring login --data-dir <storage>/camflow/.camflow`).
      if (cameraConfig.type === 'ring' && cameraConfig.data_dir !== undefined) cameraConfig.data_dir = resolve(this.#api.user.storagePath(), 'camflow', cameraConfig.data_dir);
      const uuid = hap.uuid.generate(`camflow:${cameraConfig.id}`);
      keep.add(uuid);
      const logger = this.#logger.child(cameraConfig.id);
      let accessory = this.#cached.get(uuid);
      const fresh = accessory === undefined;
      accessory ??= new this.#api.platformAccessory(cameraConfig.name ?? cameraConfig.id, uuid, CATEGORY_CAMERA);
      accessory.context = { cameraId: cameraConfig.id };
      try {
        const camera = createCamera(cameraConfig, logger);
        const handler = new CameraAccessory({ api: this.#api, accessory, camera, cameraConfig, config, options, logger, detection: () => this.#detection(config), pipeline: () => this.#pipeline(config) });
        this.#cameras.push(handler);
        if (fresh) this.#api.registerPlatformAccessories(PLUGIN_NAME, PLATFORM_NAME, [accessory]);
        else this.#api.updatePlatformAccessories([accessory]);
        handler.start();
      } catch (error) {
        // One camera's trouble stays with that camera.
        logger.error(`cannot set up: ${(error as Error).message}`);
      }
    }
    const stale = [...this.#cached.entries()].filter(([uuid]) => !keep.has(uuid)).map(([, accessory]) => accessory);
    if (stale.length > 0) {
      this.#logger.info(`removing ${stale.length} accessory(ies) no longer in the config`);
      this.#api.unregisterPlatformAccessories(PLUGIN_NAME, PLATFORM_NAME, stale);
    }
    this.#logger.info(`${config.cameras.length} camera(s) set up`);
  }

  #detectionService: DetectionService | undefined;
  #pipelineReady: Promise<Pipeline> | undefined;

  /**
   * The plugin's own pipeline (jobs in <storage>/camflow/), started on first use: the Record switch
   * adds its clip there. Its cameras are the accessories' own, not second clients.
   */
  #pipeline(config: CamflowConfig): Promise<JobEngine> {
    this.#pipelineReady ??= (async () => {
      const pipeline = await createPipeline({
        config: config.pipeline,
        cameras: config.cameras,
        detect: config.detect,
        baseDir: resolve(this.#api.user.storagePath(), 'camflow'),
        logger: this.#logger.child('pipeline'),
        resolveCamera: (id) => this.#cameras.find((c) => c.cameraId === id)?.camera,
      });
      await pipeline.engine.startWorkers();
      return pipeline;
    })();
    return this.#pipelineReady.then((p) => p.engine);
  }

  /** One detector for every camera with motion_labels, made on first use (its worker threads load the models then). */
  #detection(config: CamflowConfig): DetectionService {
    const base = this.#api.user.storagePath();
    this.#detectionService ??= new DetectionService({
      config: config.detect,
      dataDir: resolve(base, 'camflow', config.pipeline.data_dir),
      mediaDir: resolve(base, 'camflow', config.pipeline.media_dir),
      logger: this.#logger.child('detect'),
    });
    return this.#detectionService;
  }

  async #shutdown(): Promise<void> {
    await Promise.allSettled(this.#cameras.splice(0).map((camera) => camera.stop()));
    await this.#detectionService?.close();
    const pipeline = await this.#pipelineReady?.catch(() => undefined);
    await pipeline?.close(5000);
  }
}
