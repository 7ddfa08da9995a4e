import { parseArgs } from 'node:util';
import {
  type AttemptReport,
  type P2pCameraConfig,
  type PathMode,
  RaceError,
  type RaceReport,
  TrailCamClient,
  loadConfig,
} from '@camflow/core';
import { CAMERA_OPTION, CONFIG_OPTION, type CliIo, type Command, JSON_OPTION, UsageError, writeLine } from '../command.js';

/** The p2p camera `id` from the config file, or a clear error. */
export async function loadP2pCamera(file: string | undefined, id: string | undefined, io: CliIo): Promise<P2pCameraConfig> {
  if (file === undefined) throw new UsageError('--config FILE is required');
  if (id === undefined) throw new UsageError('--camera ID is required');
  const config = await loadConfig(file, { env: io.env });
  const camera = config.cameras.find((c) => c.id === id);
  if (camera === undefined) throw new UsageError(`no camera '${id}' in ${file}`);
  if (camera.type !== 'p2p') throw new UsageError(`camera '${id}' is not a p2p camera (type ${camera.type})`);
  return camera;
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)}s`);

function attemptLine(name: string, a: AttemptReport): string {
  const ports = `local ${a.localPort ?? '-'} -> ${a.destinationPort ?? '-'}`;
  const error = a.error === undefined ? '' : `  (${a.error})`;
  return `  ${name.padEnd(14)} ${a.state.padEnd(11)} ${seconds(a.elapsedMs).padStart(6)}  ${ports}  retries ${a.retries}${error}`;
}

export function printReport(io: CliIo, report: RaceReport | RaceError['report'], ok: boolean): void {
  if (ok && 'winner' in report) {
    const r = report as RaceReport;
    writeLine(io.stdout, `✓ Connected via ${r.mode} in ${seconds(r.elapsedMs)}, local port ${r.localPort ?? '-'}, target port ${r.destinationPort ?? '-'}`);
  } else {
    writeLine(io.stdout, `✗ No path connected after ${seconds(report.elapsedMs)}`);
  }
  for (const [name, attempt] of Object.entries(report.attempts)) writeLine(io.stdout, attemptLine(name, attempt));
}

export const connect: Command = {
  path: ['connect'],
  usage: 'connect --config FILE --camera ID [--lan] [--p2p] [--relay] [--json]',
  summary: 'Race every path to a P2P camera and report why the connection took what it took',
  options: [
    CONFIG_OPTION,
    CAMERA_OPTION,
    ['--lan', 'only the LAN and direct paths (default: every path)'],
    ['--p2p', 'only the P2P path through the directory servers'],
    ['--relay', 'only the relay path (needs servers in the config)'],
    JSON_OPTION,
  ],
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        camera: { type: 'string' },
        lan: { type: 'boolean', default: false },
        p2p: { type: 'boolean', default: false },
        relay: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const camera = await loadP2pCamera(values.config, values.camera, io);
    if (values.relay && camera.servers.length === 0) throw new UsageError(`--relay needs directory servers: camera '${camera.id}' has no servers in the config`);
    const modes: PathMode[] = [];
    if (values.lan) modes.push('lan', 'direct');
    if (values.p2p) modes.push('p2p');
    if (values.relay) modes.push('relay');
    const client = TrailCamClient.fromConfig(camera, io.logger);
    try {
      const report = await client.connect({ signal: io.signal, ...(modes.length === 0 ? {} : { modes }) });
      // With --json, stdout carries the JSON only (`| jq .` works); the human report is not printed.
      if (values.json) writeLine(io.stdout, JSON.stringify(report));
      else printReport(io, report, true);
      return 0;
    } catch (error) {
      if (!(error instanceof RaceError)) throw error;
      if (values.json) writeLine(io.stdout, JSON.stringify({ error: error.message, ...error.report }));
      else printReport(io, error.report, false);
      return 1;
    } finally {
      await client.close();
    }
  },
};
