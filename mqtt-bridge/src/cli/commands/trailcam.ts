import { parseArgs } from 'node:util';
import { TrailCamClient } from '@camflow/core';
import { CAMERA_OPTION, CONFIG_OPTION, type CliIo, type Command, UsageError, writeLine } from '../command.js';
import { loadP2pCamera } from './connect.js';
import { checkOutputPath, writeOutput } from '../output.js';

async function withClient<T>(
  args: string[],
  io: CliIo,
  extra: Record<string, { type: 'string' | 'boolean'; short?: string }>,
  body: (client: TrailCamClient, values: Record<string, unknown>) => Promise<T>,
  check: (values: Record<string, unknown>) => Promise<void> = async () => undefined,
): Promise<T> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, camera: { type: 'string' }, ...extra } });
  // Every argument is checked before the camera is contacted (a login takes seconds).
  await check(values);
  const camera = await loadP2pCamera(values.config, values.camera as string | undefined, io);
  const client = TrailCamClient.fromConfig(camera, io.logger);
  try {
    await client.connect({ signal: io.signal });
    return await body(client, values);
  } finally {
    await client.close();
  }
}

export const trailcamInfo: Command = {
  path: ['trailcam', 'info'],
  usage: 'trailcam info --config FILE --camera ID',
  summary: 'Log in to a TrailCam and print its device info as JSON',
  options: [CONFIG_OPTION, CAMERA_OPTION],
  run: (args, io) =>
    withClient(args, io, {}, async (client) => {
      writeLine(io.stdout, JSON.stringify(await client.deviceInfo({ signal: io.signal }), null, 2));
      return 0;
    }),
};

export const trailcamMedia: Command = {
  path: ['trailcam', 'media'],
  usage: 'trailcam media --config FILE --camera ID [--json]',
  summary: "List a TrailCam's photos, newest first (DIR/NUM, time)",
  options: [CONFIG_OPTION, CAMERA_OPTION, ['--json', 'the list as JSON']],
  run: (args, io) =>
    withClient(args, io, { json: { type: 'boolean' } }, async (client, values) => {
      const items = await client.mediaList({ signal: io.signal });
      if (values['json'] === true) writeLine(io.stdout, JSON.stringify(items));
      else for (const i of items) writeLine(io.stdout, `${i.mediaDirNum}/${i.mediaNum}  ${new Date(i.mediaTime * 1000).toISOString()}  id ${i.mediaId}`);
      return 0;
    }),
};

export const trailcamThumbnail: Command = {
  path: ['trailcam', 'thumbnail'],
  usage: 'trailcam thumbnail --config FILE --camera ID [--media DIR/NUM] -o FILE.jpg',
  summary: "Save a TrailCam photo's thumbnail (default: the newest)",
  options: [CONFIG_OPTION, CAMERA_OPTION, ['--media DIR/NUM', 'which photo (default: the newest)'], ['-o, --out FILE', 'where to save the JPEG (required; checked before connecting)']],
  run: (args, io) =>
    withClient(
      args,
      io,
      { media: { type: 'string' }, out: { type: 'string', short: 'o' } },
      async (client, values) => {
        const out = values['out'] as string;
        const media = values['media'];
        const jpeg = typeof media === 'string' ? await client.thumbnail(media, { signal: io.signal }) : await client.snapshot({ signal: io.signal });
        await writeOutput(out, jpeg);
        writeLine(io.stdout, `✓ saved ${jpeg.length} bytes to ${out}`);
        return 0;
      },
      async (values) => {
        if (typeof values['out'] !== 'string') throw new UsageError('-o FILE is required');
        await checkOutputPath(values['out']);
      },
    ),
};
