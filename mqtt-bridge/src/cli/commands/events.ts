import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { type CameraEvent, ConfigError, createCamera, type Detection, DetectionService, detectOnEvent } from '@camflow/core';
import { configAndCamera } from '../camera-config.js';
import { CAMERA_OPTION, CONFIG_OPTION, JSON_OPTION, type CliIo, type Command, writeLine } from '../command.js';

/** One line for a person: time, type, state, channel and the camera's own words. */
export function eventLine(camera: string, event: CameraEvent): string {
  const time = event.time.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const description = event.description === undefined ? '' : `  ${event.description}`;
  return `${time}  ${camera}  ${event.type.padEnd(14)} ${event.state.padEnd(8)} ch${event.channel}${description}`;
}

export function eventJson(camera: string, event: CameraEvent): string {
  return JSON.stringify({ camera, ...event, time: event.time.toISOString() });
}

/** A detection as one line: time, label, score, face, where its picture is. */
export function detectionLine(d: Detection): string {
  const face = d.face === undefined ? '' : `  face: ${d.face.known ? d.face.name : 'unknown'} (${d.face.similarity.toFixed(2)})`;
  const zone = d.zone === undefined ? '' : `  zone ${d.zone}`;
  return `${d.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${d.camera}  detected ${d.label} ${Math.round(d.score * 100)}%${zone}${face}${d.snapshot === undefined ? '' : `  ${d.snapshot}`}`;
}

/**
 * `camflow events --camera ID`: the camera's events as they happen, until Ctrl-C: a quick way to see
 * the chain working (a motion in front of the camera shows here before anything else is set up).
 */
export const events: Command = {
  path: ['events'],
  usage: 'events --config FILE --camera ID [--detect] [--json]',
  summary: "Print a camera's events and detections as they happen, until Ctrl-C",
  options: [
    CONFIG_OPTION,
    CAMERA_OPTION,
    ['--detect', 'also detect on its motion events (default: when the camera is listed under detect.cameras)'],
    JSON_OPTION,
  ],
  async run(args, io: CliIo) {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, camera: { type: 'string' }, json: { type: 'boolean' }, detect: { type: 'boolean' } },
      allowPositionals: false,
    });
    const { loaded, camera: config } = await configAndCamera(values.config, values.camera, io);
    const camera = createCamera(config, io.logger);
    const detect = values.detect === true || loaded.detect.cameras[config.id] !== undefined;
    const base = dirname(values.config ?? '.');
    const service = detect
      ? new DetectionService({ config: loaded.detect, dataDir: resolve(base, loaded.pipeline.data_dir), mediaDir: resolve(base, loaded.pipeline.media_dir), logger: io.logger })
      : undefined;
    let watching: Promise<void> | undefined;
    try {
      if (camera.events === undefined) throw new ConfigError(`camera '${config.id}' (${config.type}) has no event stream`);
      if (service !== undefined) {
        watching = detectOnEvent({
          camera,
          service,
          signal: io.signal,
          onDetection: (d) => writeLine(io.stdout, values.json === true ? JSON.stringify({ type: 'detection', ...d }) : detectionLine(d)),
          onError: (error) => writeLine(io.stderr, `camflow events: ${config.id}: detection failed: ${error.message}`),
        });
      }
      if (values.json !== true) writeLine(io.stderr, `camflow events: listening to '${config.id}'${detect ? ' (detecting on motion)' : ''}; Ctrl-C stops`);
      if (camera.kind === 'hikvision') {
        // A refused password or an unreachable camera: say so once per change, the stream retries by itself.
        camera.client.on('event-stream', (status) => {
          if (status.error !== undefined) writeLine(io.stderr, `camflow events: ${config.id}: ${status.state}: ${status.error.message}`);
        });
      }
      for await (const event of camera.events(io.signal)) {
        writeLine(io.stdout, values.json === true ? eventJson(config.id, event) : eventLine(config.id, event));
      }
      await watching;
      return 0;
    } finally {
      await camera.close();
      await service?.close();
    }
  },
};
