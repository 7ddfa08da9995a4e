/**
 * What handlers reach besides their params: the cameras from the config (created on first use,
 * closed with the pipeline), the media and data folders, the worker-thread pool and a logger.
 */
import { mkdir } from 'node:fs/promises';
import { createCamera, type Camera } from '../cameras/camera.js';
import type { CameraConfig } from '../config/camera.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CpuPool } from './pool.js';

export interface PipelineServices {
  mediaDir: string;
  dataDir: string;
  logger: Logger;
  /** The configured camera; a ConfigError for an unknown id. */
  camera(id: string): Camera;
  /** Worker threads for CPU-bound work (created on first use). */
  pool(): CpuPool;
  /** The media folder, created if missing. */
  ensureMediaDir(): Promise<string>;
}

export interface ServicesOptions {
  cameras: readonly CameraConfig[];
  /**
   * Cameras owned elsewhere (Node-RED's camera config nodes, by node id): asked first, never closed
   * here. Undefined for an id it does not know.
   */
  resolveCamera?: (id: string) => Camera | undefined;
  mediaDir: string;
  dataDir: string;
  logger: Logger;
  pool: () => CpuPool;
}

export class CameraServices implements PipelineServices {
  readonly mediaDir: string;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly #configs: Map<string, CameraConfig>;
  readonly #cameras = new Map<string, Camera>();
  readonly #pool: () => CpuPool;
  readonly #resolve: ((id: string) => Camera | undefined) | undefined;

  constructor(options: ServicesOptions) {
    this.#resolve = options.resolveCamera;
    this.mediaDir = options.mediaDir;
    this.dataDir = options.dataDir;
    this.logger = options.logger;
    this.#configs = new Map(options.cameras.map((camera) => [camera.id, camera]));
    this.#pool = options.pool;
  }

  camera(id: string): Camera {
    const owned = this.#resolve?.(id);
    if (owned !== undefined) return owned;
    const known = this.#cameras.get(id);
    if (known !== undefined) return known;
    const config = this.#configs.get(id);
    if (config === undefined) throw new ConfigError(`no camera '${id}' in the config (known: ${[...this.#configs.keys()].join(', ') || 'none'})`);
    const camera = createCamera(config, this.logger);
    this.#cameras.set(id, camera);
    return camera;
  }

  pool(): CpuPool {
    return this.#pool();
  }

  async ensureMediaDir(): Promise<string> {
    await mkdir(this.mediaDir, { recursive: true });
    return this.mediaDir;
  }

  async close(): Promise<void> {
    const cameras = [...this.#cameras.values()];
    this.#cameras.clear();
    await Promise.allSettled(cameras.map((camera) => camera.close()));
  }
}
