import { join, resolve, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, createCamera, fileStamp } from '@camflow/core';
import { configAndCamera } from '../camera-config.js';
import { CAMERA_OPTION, CONFIG_OPTION, JSON_OPTION, type Command, UsageError, writeLine } from '../command.js';
import { checkOutputPath } from '../output.js';

/**
 * `camflow clip`: N seconds from a camera now. An RTSP camera's clip is copied from its stream into an
 * MP4 (no re-encoding); a Hikvision camera records on its own storage for N seconds.
 */
export const clip: Command = {
  path: ['clip'],
  usage: 'clip --config FILE --camera ID --seconds N [-o FILE.mp4] [--json]',
  summary: 'Record N seconds from a camera (RTSP: into an MP4 file; Hikvision: on the camera)',
  options: [
    CONFIG_OPTION,
    CAMERA_OPTION,
    ['--seconds N', 'length of the clip, 1 to 3600 (required)'],
    ['-o, --out FILE', 'where the MP4 goes (default: <media_dir>/clips/<camera>/<time>.mp4; its folder must exist)'],
    JSON_OPTION,
  ],
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, camera: { type: 'string' }, seconds: { type: 'string' }, out: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
      allowPositionals: false,
    });
    if (values.config === undefined) throw new UsageError('--config FILE is required');
    if (values.camera === undefined) throw new UsageError('--camera ID is required');
    const seconds = Number(values.seconds);
    if (values.seconds === undefined || !Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new UsageError('--seconds expects a whole number from 1 to 3600');
    if (values.out !== undefined) await checkOutputPath(values.out);
    const { loaded, camera: config } = await configAndCamera(values.config, values.camera, io);
    const camera = createCamera(config, io.logger);
    try {
      if (camera.recordClip !== undefined) {
        const path = values.out ?? join(resolve(dirname(values.config), loaded.pipeline.media_dir), 'clips', config.id, `${fileStamp(new Date())}.mp4`);
        const result = await camera.recordClip({ seconds, path, signal: io.signal });
        const out = { camera: result.camera, path: result.path, start: result.start.toISOString(), end: result.end.toISOString(), duration_ms: result.durationMs, bytes: result.bytes };
        writeLine(io.stdout, values.json === true ? JSON.stringify(out) : `✓ ${result.path} (${(result.durationMs / 1000).toFixed(1)} s, ${result.bytes} bytes)`);
        return 0;
      }
      if (camera.startRecording !== undefined && camera.stopRecording !== undefined) {
        if (values.out !== undefined) throw new UsageError(`camera '${config.id}' (${config.type}) records on its own storage: -o does not apply (download it with camflow recordings)`);
        const start = new Date();
        await camera.startRecording({ signal: io.signal });
        await new Promise<void>((done) => {
          const timer = setTimeout(done, seconds * 1000);
          io.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              done();
            },
            { once: true },
          );
        });
        await camera.stopRecording({ signal: AbortSignal.timeout(5000) });
        const end = new Date();
        const out = { camera: config.id, start: start.toISOString(), end: end.toISOString(), duration_ms: end.getTime() - start.getTime(), camera_side: true };
        writeLine(io.stdout, values.json === true ? JSON.stringify(out) : `✓ recorded ${((end.getTime() - start.getTime()) / 1000).toFixed(1)} s on camera '${config.id}'`);
        return 0;
      }
      throw new ConfigError(`camera '${config.id}' (${config.type}) cannot record clips`);
    } finally {
      await camera.close();
    }
  },
};
