/**
 * The status page as one piece a command starts and stops: the model fed by the bridge's publisher
 * and the pipeline's events, the figures sampled every 10 s, jobs from other processes read every few
 * seconds, and the HTTP server.
 */
import { type CameraConfig, ensureError, type JobEngine, type Logger, LoopDelay, noopLogger, type StatusConfig } from '@camflow/core';
import type { Bridge } from '../bridge/bridge.js';
import { bridgeTopics, type BridgeTopics } from '../bridge/topics.js';
import { FIGURE_PERIOD_MS, StatusModel } from './model.js';
import { StatusServer } from './server.js';

/** Jobs added by the CLI or other workers are not announced to this process: read them this often. */
const JOBS_REFRESH_MS = 2_000;

export interface StatusServiceOptions {
  config: StatusConfig;
  cameras: readonly CameraConfig[];
  /** The bridge whose published states fill the camera tiles (absent in `camflow worker`). */
  bridge?: Bridge;
  engine?: JobEngine;
  mediaDir?: string;
  logger?: Logger;
  /** Default: the bridge's topics, or camflow's defaults. */
  topics?: BridgeTopics;
}

export class StatusService {
  readonly model: StatusModel;
  readonly #o: StatusServiceOptions;
  readonly #logger: Logger;
  readonly #server: StatusServer;
  readonly #controller = new AbortController();
  #loop: LoopDelay | undefined;
  #timers: NodeJS.Timeout[] = [];
  #untap: (() => void) | undefined;

  constructor(options: StatusServiceOptions) {
    this.#o = options;
    this.#logger = options.logger ?? noopLogger;
    this.model = new StatusModel({
      cameras: options.cameras,
      topics: options.topics ?? options.bridge?.topics ?? bridgeTopics('camflow', 'homeassistant'),
      ...(options.mediaDir === undefined ? {} : { mediaDir: options.mediaDir }),
      logger: this.#logger,
    });
    this.#server = new StatusServer({
      model: this.model,
      host: options.config.host,
      port: options.config.port,
      ...(options.config.token === undefined ? {} : { token: options.config.token }),
      ...(options.engine === undefined ? {} : { engine: options.engine }),
      ...(options.mediaDir === undefined ? {} : { mediaDir: options.mediaDir }),
      logger: this.#logger,
    });
  }

  get url(): string | undefined {
    return this.#server.url;
  }

  /** Call before the bridge starts, so the first states (availability, snapshots) are seen. */
  attach(): void {
    this.#untap ??= this.#o.bridge?.tap((topic, payload) => this.model.observe(topic, payload));
    const engine = this.#o.engine;
    if (engine !== undefined) this.model.followPipeline(engine, this.#controller.signal);
  }

  /** Starts listening; a port in use is an error the caller reports (the bridge itself keeps running). */
  async start(): Promise<void> {
    this.attach();
    await this.#server.start();
    this.#loop = new LoopDelay(FIGURE_PERIOD_MS);
    const engine = this.#o.engine;
    // A first sample at once, so the charts have a value before the first period ends.
    void this.#sample();
    this.#timers.push(setInterval(() => void this.#sample(), FIGURE_PERIOD_MS));
    if (engine !== undefined) {
      const refresh = (): void => {
        this.model.refreshJobs(engine).catch((error: unknown) => this.#logger.debug(`status page: reading jobs: ${ensureError(error).message}`));
      };
      refresh();
      this.#timers.push(setInterval(refresh, JOBS_REFRESH_MS));
    }
    for (const timer of this.#timers) timer.unref();
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#untap?.();
    this.#untap = undefined;
    this.#loop?.stop();
    this.#loop = undefined;
    await this.#server.stop();
  }

  async #sample(): Promise<void> {
    let active = 0;
    let waiting = 0;
    try {
      const figures = await this.#o.engine?.figures();
      for (const type of Object.values(figures?.types ?? {})) {
        active += type.active;
        waiting += type.waiting + type.delayed;
      }
    } catch (error) {
      this.#logger.debug(`status page: reading figures: ${ensureError(error).message}`);
    }
    this.model.sampleFigures({ active, waiting }, this.#loop?.get().p99 ?? 0);
  }
}
