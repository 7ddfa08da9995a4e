import { parseArgs } from 'node:util';
import type { SimulatorCommand } from '../cli-commands.js';
import { TrailCamSimulator } from './device.js';
import { DirectoryServerSimulator } from './directory.js';
import { RelaySimulator } from './relay.js';

/**
 * `camflow-sim trailcam [--lan-port N] [--session-port N] [--server-port N] [--photos N] [--password P]`:
 * a TrailCam with a directory server and a relay on loopback, until Ctrl-C. Ports default to free
 * ones (0); the real camera uses 32108 / 40611 and servers 32100.
 */
export const trailcamCommand: SimulatorCommand = {
  kind: 'trailcam',
  usage: 'trailcam [--lan-port N] [--session-port N] [--server-port N] [--photos N] [--username U] [--password P] [--max-sessions N]',
  async run(args, signal, print) {
    const { values } = parseArgs({
      args,
      options: {
        'lan-port': { type: 'string', default: '0' },
        'session-port': { type: 'string', default: '0' },
        'server-port': { type: 'string', default: '0' },
        photos: { type: 'string', default: '12' },
        username: { type: 'string', default: 'admin' },
        password: { type: 'string', default: process.env['CAMFLOW_SIM_PASSWORD'] ?? 'admin' },
        'max-sessions': { type: 'string', default: '1' },
      },
    });
    const relay = new RelaySimulator();
    await relay.start();
    const server = new DirectoryServerSimulator({ port: Number(values['server-port']), relays: [relay.address] });
    await server.start();
    const camera = new TrailCamSimulator({
      lanPort: Number(values['lan-port']),
      sessionPort: Number(values['session-port']),
      photos: Number(values.photos),
      username: values.username,
      password: values.password,
      maxSessions: Number(values['max-sessions']),
      directoryServers: [server.address],
    });
    try {
      await camera.start();
      print(`trailcam did=LBCS-000000-CCCJJ host=127.0.0.1 lan_port=${camera.lanPort} session_port=${camera.sessionPort}`);
      print(`directory server 127.0.0.1:${server.address.port}; relay 127.0.0.1:${relay.address.port}`);
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await camera.stop();
      await server.stop();
      await relay.stop();
    }
  },
};
