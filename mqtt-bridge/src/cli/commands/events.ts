import { parseArgs } from 'node:util';
import { type CameraEvent, ConfigError, createCamera, loadConfig } from '@camflow/core';
import { CAMERA_OPTION, CONFIG_OPTION, JSON_OPTION, type CliIo, type Command, UsageError, writeLine } from '../command.js';

/** One line for a person: time, type, state, channel and the camera's own words. */
export function eventLine(camera: string, event: CameraEvent): string {
  const time = event.time.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const description = event.description === undefined ? '' : `  ${event.description}`;
  return `${time}  ${camera}  ${event.type.padEnd(14)} ${event.state.padEnd(8)} ch${event.channel}${description}`;
}

export function eventJson(camera: string, event: CameraEvent): string {
  return JSON.stringify({ camera, ...event, time: event.time.toISOString() });
}

/**
 * `camflow events --camera ID`: the camera's events as they happen, until Ctrl-C: a quick way to see
 * the chain working (a motion in front of the camera shows here before anything else is set up).
 */
export const events: Command = {
  path: ['events'],
  usage: 'events --config FILE --camera ID [--json]',
  summary: "Print a camera's events as they happen, until Ctrl-C",
  options: [CONFIG_OPTION, CAMERA_OPTION, JSON_OPTION],
  async run(args, io: CliIo) {
    const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, camera: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false });
    if (values.config === undefined) throw new UsageError('--config FILE is required');
    if (values.camera === undefined) throw new UsageError('--camera ID is required');
    const loaded = await loadConfig(values.config, { env: io.env });
    const config = loaded.cameras.find((c) => c.id === values.camera);
    if (config === undefined) throw new ConfigError(`${values.config} has no camera '${values.camera}' (have: ${loaded.cameras.map((c) => c.id).join(', ') || 'none'})`);
    const camera = createCamera(config, io.logger);
    try {
      if (camera.events === undefined) throw new ConfigError(`camera '${config.id}' (${config.type}) has no event stream`);
      if (values.json !== true) writeLine(io.stderr, `camflow events: listening to '${config.id}'; Ctrl-C stops`);
      if (camera.kind === 'hikvision') {
        // A refused password or an unreachable camera: say so once per change, the stream retries by itself.
        camera.client.on('event-stream', (status) => {
          if (status.error !== undefined) writeLine(io.stderr, `camflow events: ${config.id}: ${status.state}: ${status.error.message}`);
        });
      }
      for await (const event of camera.events(io.signal)) {
        writeLine(io.stdout, values.json === true ? eventJson(config.id, event) : eventLine(config.id, event));
      }
      return 0;
    } finally {
      await camera.close();
    }
  },
};
