import { parseArgs } from 'node:util';
import type { SimulatorCommand } from '../cli-commands.js';
import { SimulatorControl } from './control.js';
import { HikvisionSimulator } from './simulator.js';

/** `camflow-sim hikvision --count N --base-port P --latency MS`: N cameras on consecutive ports. */
export const hikvisionCommand: SimulatorCommand = {
  kind: 'hikvision',
  usage:
    'hikvision [--count N] [--base-port P] [--control-port P] [--latency MS] [--jitter MS] [--username U] [--password P] [--basic-only] [--nvr]\n' +
    '      events on demand: curl -X POST "http://127.0.0.1:CONTROL/event?camera=1&type=vmd" (or type=linedetection)',
  async run(args, signal, print) {
    const { values } = parseArgs({
      args,
      options: {
        count: { type: 'string', default: '1' },
        'base-port': { type: 'string', default: '0' },
        'control-port': { type: 'string', default: '0' },
        latency: { type: 'string', default: '0' },
        jitter: { type: 'string', default: '0' },
        username: { type: 'string', default: 'admin' },
        // From the environment too: a password on the command line is visible to everyone in `ps`.
        password: { type: 'string', default: process.env['CAMFLOW_SIM_PASSWORD'] ?? 'password' },
        'basic-only': { type: 'boolean', default: false },
        nvr: { type: 'boolean', default: false },
      },
    });
    const count = Number(values.count);
    const basePort = Number(values['base-port']);
    if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a positive integer');
    if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65_535) throw new Error('--base-port must be a port (0 = any free port)');
    const controlPort = Number(values['control-port']);
    if (!Number.isInteger(controlPort) || controlPort < 0 || controlPort > 65_535) throw new Error('--control-port must be a port (0 = any free port)');
    const sims: HikvisionSimulator[] = [];
    const control = new SimulatorControl(sims);
    try {
      for (let i = 0; i < count; i++) {
        const sim = new HikvisionSimulator({
          port: basePort === 0 ? 0 : basePort + i,
          latencyMs: Number(values.latency),
          jitterMs: Number(values.jitter),
          username: values.username,
          password: values.password,
          basicOnly: values['basic-only'],
          nvr: values.nvr,
          serialNumber: `DS-2CD2143G2-I20230601AAWRJ${String(i + 1).padStart(8, '0')}`,
        });
        sims.push(sim);
        await sim.start();
        print(`hikvision camera ${i + 1} listening on ${sim.url} (user ${values.username})`);
      }
      await control.start(controlPort);
      print(`control on http://127.0.0.1:${control.port}/ : curl -X POST 'http://127.0.0.1:${control.port}/event?camera=1&type=vmd' (motion for 4 s; type=linedetection for a line crossing)`);
      if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    } finally {
      await control.stop();
      await Promise.all(sims.map((sim) => sim.stop()));
    }
  },
};
