import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  HikvisionClient,
  loadConfig,
  TrailCamClient,
  type CameraConfig,
  type HikvisionCameraConfig,
  type P2pCameraConfig,
} from '@camflow/core';
import { type CliIo, type Command, UsageError, writeLine } from '../command.js';

const options = { config: { type: 'string', short: 'c' }, camera: { type: 'string' } } as const;

async function findCamera(config: string | undefined, id: string | undefined, io: CliIo): Promise<CameraConfig> {
  if (config === undefined) throw new UsageError('--config FILE is required');
  if (id === undefined) throw new UsageError('--camera ID is required');
  const loaded = await loadConfig(config, { env: io.env });
  const camera = loaded.cameras.find((c) => c.id === id);
  if (camera === undefined) {
    throw new ConfigError(`${config} has no camera '${id}' (have: ${loaded.cameras.map((c) => c.id).join(', ') || 'none'})`);
  }
  return camera;
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
  async run(args, io) {
    const { values } = parseArgs({ args, options, allowPositionals: false });
    const camera = await findCamera(values.config, values.camera, io);
    if (camera.type !== 'hikvision') throw new UsageError(`camera info supports hikvision cameras; '${camera.id}' is ${camera.type}`);
    const info = await withHikvision(camera, io, (client) => client.deviceInfo({ signal: io.signal }));
    writeLine(io.stdout, JSON.stringify(info, null, 2));
    return 0;
  },
};

/** Takes one JPEG from a Hikvision camera (its configured channel). */
export function hikvisionSnapshot(camera: HikvisionCameraConfig, io: CliIo): Promise<Buffer> {
  return withHikvision(camera, io, (client) => client.snapshot(camera.channel, { signal: io.signal }));
}

/** Races the paths to a P2P camera, logs in and takes its newest photo's JPEG. */
export async function p2pSnapshot(camera: P2pCameraConfig, io: CliIo): Promise<Buffer> {
  const client = TrailCamClient.fromConfig(camera, io.logger);
  try {
    await client.connect({ signal: io.signal });
    return await client.snapshot({ signal: io.signal });
  } finally {
    await client.close();
  }
}

type SnapshotHandler<T extends CameraConfig['type']> = (camera: Extract<CameraConfig, { type: T }>, io: CliIo) => Promise<Buffer>;

/** One snapshot function per camera type; a type without one says so. */
export const snapshotHandlers: { [T in CameraConfig['type']]?: SnapshotHandler<T> } = {
  hikvision: hikvisionSnapshot,
  p2p: p2pSnapshot,
};

export function snapshotOf(camera: CameraConfig, io: CliIo): Promise<Buffer> {
  const handler = snapshotHandlers[camera.type] as SnapshotHandler<typeof camera.type> | undefined;
  if (handler === undefined) throw new UsageError(`snapshot is not supported for ${camera.type} cameras`);
  return handler(camera as never, io);
}

export const snapshot: Command = {
  path: ['snapshot'],
  usage: 'snapshot --config FILE --camera ID -o FILE.jpg',
  summary: 'Save one JPEG from a camera',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...options, output: { type: 'string', short: 'o' } }, allowPositionals: false });
    if (values.output === undefined) throw new UsageError('-o FILE is required');
    const camera = await findCamera(values.config, values.camera, io);
    const jpeg = await snapshotOf(camera, io);
    await writeFile(values.output, jpeg);
    writeLine(io.stdout, `✓ ${values.output} (${jpeg.length} bytes)`);
    return 0;
  },
};
