/** Starting the status page from a command: a port in use or a refused address is one warning, never fatal. */
import { type CamflowConfig, ensureError, type JobEngine, type Logger } from '@camflow/core';
import type { Bridge } from '../bridge/bridge.js';
import { StatusService } from './service.js';

export interface StatusStart {
  config: CamflowConfig;
  logger: Logger;
  bridge?: Bridge;
  engine?: JobEngine;
  mediaDir?: string;
}

/**
 * Builds the status page (attached to the bridge before it starts, so the first states are seen) and
 * a `listen()` that starts serving; both undefined when `status.enabled` is false.
 */
export function statusPage(o: StatusStart): { service: StatusService; listen(): Promise<string | undefined> } | undefined {
  if (!o.config.status.enabled) return undefined;
  const service = new StatusService({
    config: o.config.status,
    cameras: o.config.cameras,
    ...(o.bridge === undefined ? {} : { bridge: o.bridge }),
    ...(o.engine === undefined ? {} : { engine: o.engine }),
    ...(o.mediaDir === undefined ? {} : { mediaDir: o.mediaDir }),
    logger: o.logger,
  });
  service.attach();
  return {
    service,
    async listen() {
      try {
        await service.start();
        return service.url;
      } catch (error) {
        const e = ensureError(error) as NodeJS.ErrnoException;
        const where = `${o.config.status.host}:${o.config.status.port}`;
        const why = e.code === 'EADDRINUSE' ? `${where} is in use (set status.port, or status.enabled: false)` : `${where}: ${e.message}`;
        o.logger.warn(`status page not served: ${why}`);
        await service.stop();
        return undefined;
      }
    },
  };
}
