import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { createPipeline, ensureError, loadConfig, type Pipeline } from '@camflow/core';
import { detectionFromConfig } from '../../bridge/features/detection.js';
import { Bridge } from '../../bridge/bridge.js';
import { bridgeVersion } from '../../bridge/version.js';
import { statusPage } from '../../status/start.js';
import { CONFIG_OPTION, type Command, UsageError, writeLine } from '../command.js';

export const bridge: Command = {
  path: ['bridge'],
  usage: 'bridge --config FILE',
  summary: 'Run the Home Assistant MQTT bridge (embedded broker when mqtt.url is not set)',
  options: [CONFIG_OPTION],
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } });
    if (values.config === undefined || positionals.length > 0) throw new UsageError('expected --config FILE');
    const config = await loadConfig(values.config, { env: io.env });
    const stateDir = resolve(dirname(values.config), config.pipeline.data_dir);
    // The bridge also works the pipeline's jobs (camflow jobs add ...), unless pipeline.workers is false.
    let pipeline: Pipeline | undefined;
    if (config.pipeline.workers) {
      pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, detect: config.detect, logger: io.logger, baseDir: dirname(values.config) });
    }
    const instance = new Bridge({
      config,
      logger: io.logger.child('bridge'),
      version: bridgeVersion(),
      stateDir,
      ...(pipeline === undefined ? {} : { pipeline: pipeline.engine, detection: detectionFromConfig(config) }),
    });
    const mediaDir = resolve(dirname(values.config), config.pipeline.media_dir);
    const status = statusPage({ config, logger: io.logger.child('status'), bridge: instance, mediaDir, ...(pipeline === undefined ? {} : { engine: pipeline.engine }) });
    try {
      await instance.start();
    } catch (error) {
      await status?.service.stop();
      await pipeline?.close(10_000);
      throw error;
    }
    // Not awaited: a Redis that is down is retried in the background and must not hold up the bridge.
    pipeline?.engine.startWorkers().catch((error: unknown) => io.logger.error(`pipeline workers did not start: ${ensureError(error).message}`));
    const page = await status?.listen();
    const cameras = config.cameras.length === 1 ? '1 camera' : `${config.cameras.length} cameras`;
    writeLine(io.stdout, `✓ camflow bridge running on ${instance.brokerUrl ?? '?'} with ${cameras} (Ctrl-C stops)`);
    if (page !== undefined) writeLine(io.stdout, `  status page: ${page}`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await status?.service.stop();
    await pipeline?.close(10_000);
    await instance.stop();
    writeLine(io.stdout, '✓ camflow bridge stopped');
    return 0;
  },
};

