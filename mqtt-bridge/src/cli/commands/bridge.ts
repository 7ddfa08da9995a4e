import { parseArgs } from 'node:util';
import { loadConfig } from '@camflow/core';
import { Bridge } from '../../bridge/bridge.js';
import { bridgeVersion } from '../../bridge/version.js';
import { type Command, UsageError, writeLine } from '../command.js';

export const bridge: Command = {
  path: ['bridge'],
  usage: 'bridge --config FILE',
  summary: 'Run the Home Assistant MQTT bridge (embedded broker when mqtt.url is not set)',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } });
    if (values.config === undefined || positionals.length > 0) throw new UsageError('expected --config FILE');
    const config = await loadConfig(values.config, { env: io.env });
    const instance = new Bridge({ config, logger: io.logger.child('bridge'), version: bridgeVersion() });
    await instance.start();
    const cameras = config.cameras.length === 1 ? '1 camera' : `${config.cameras.length} cameras`;
    writeLine(io.stdout, `✓ camflow bridge running on ${instance.brokerUrl ?? '?'} with ${cameras} (Ctrl-C stops)`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await instance.stop();
    writeLine(io.stdout, '✓ camflow bridge stopped');
    return 0;
  },
};
