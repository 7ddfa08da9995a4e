import { parseArgs } from 'node:util';
import { createCamera, HikvisionClient, type CameraConfig, type HikvisionCameraConfig } from '@camflow/core';
import { CAMERA_OPTION, CONFIG_OPTION, type CliIo, type Command, UsageError, writeLine } from '../command.js';
import { checkOutputPath, writeOutput } from '../output.js';
import { configAndCamera } from '../camera-config.js';

const options = { config: { type: 'string', short: 'c' }, camera: { type: 'string' } } as const;

async function findCamera(config: string | undefined, id: string | undefined, io: CliIo): Promise<CameraConfig> {
  return (await configAndCamera(config, id, io)).camera;
}

/** Runs `fn` with a client for the camera and always closes it. */
async function withHikvision<T>(camera: HikvisionCameraConfig, io: CliIo, fn: (client: HikvisionClient) => Promise<T>): Promise<T> {
  const client = HikvisionClient.fromConfig(camera, io.logger);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export const cameraInfo: Command = {
  path: ['camera', 'info'],
  usage: 'camera info --config FILE --camera ID',
  summary: "Print a camera's device information as JSON",
  options: [CONFIG_OPTION, CAMERA_OPTION],
  async run(args, io) {
    const { values } = parseArgs({ args, options, allowPositionals: false });
    const camera = await findCamera(values.config, values.camera, io);
    // A Hikvision camera's own full device information; for other kinds, what camflow knows of them.
    const info = camera.type === 'hikvision' ? await withHikvision(camera, io, (client) => client.deviceInfo({ signal: io.signal })) : await detailsOf(camera, io);
    writeLine(io.stdout, JSON.stringify(info, null, 2));
    return 0;
  },
};

async function detailsOf(config: CameraConfig, io: CliIo): Promise<object> {
  const camera = createCamera(config, io.logger);
  try {
    return { id: config.id, type: config.type, ...(await camera.details({ signal: io.signal })) };
  } finally {
    await camera.close();
  }
}

/** One JPEG from any configured camera (a P2P camera races its paths and gives its newest photo). */
export async function snapshotOf(config: CameraConfig, io: CliIo): Promise<Buffer> {
  const camera = createCamera(config, io.logger);
  try {
    return await camera.snapshot({ signal: io.signal });
  } finally {
    await camera.close();
  }
}

export const snapshot: Command = {
  path: ['snapshot'],
  usage: 'snapshot --config FILE --camera ID -o FILE.jpg',
  summary: 'Save one JPEG from a camera',
  options: [CONFIG_OPTION, CAMERA_OPTION, ['-o, --out FILE', 'where to save the JPEG (required; its folder must exist)']],
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...options, out: { type: 'string', short: 'o' }, output: { type: 'string' } }, allowPositionals: false });
    const output = values.out ?? values.output;
    if (output === undefined) throw new UsageError('-o FILE is required');
    await checkOutputPath(output);
    const camera = await findCamera(values.config, values.camera, io);
    const jpeg = await snapshotOf(camera, io);
    await writeOutput(output, jpeg);
    writeLine(io.stdout, `✓ ${output} (${jpeg.length} bytes)`);
    return 0;
  },
};
