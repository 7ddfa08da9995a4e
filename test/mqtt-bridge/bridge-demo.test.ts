/** The `npm start` demo as a real process: simulators, embedded broker and bridge; Ctrl-C stops it all. */
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, startUntil } from '../helpers/cli.js';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { freePort } from '../helpers/mosquitto.js';

/** A UDP port nothing holds now (the TrailCam simulator's ports are UDP: a free TCP port says nothing about them). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
import { TestMqttClient } from '../helpers/mqtt.js';

const demoBin = join(repoRoot, 'examples/demo.ts');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** examples/demo.yaml with free ports instead of the fixed ones, so tests never collide with a running demo. */
async function demoConfig(dir: string): Promise<{ file: string; brokerPort: number }> {
  let text = await readFile(join(repoRoot, 'examples/demo.yaml'), 'utf8');
  const brokerPort = await freePort();
  text = text.replace('port: 1883', `port: ${brokerPort}`);
  text = text.replace('port: 8099', `port: ${await freePort()}`);
  for (const fixed of ['18081', '18082', '18083']) text = text.replace(fixed, String(await freePort()));
  for (const fixed of ['18108', '18611']) text = text.replace(fixed, String(await freeUdpPort()));
  const file = join(dir, 'demo.yaml');
  await writeFile(file, text);
  return { file, brokerPort };
}

/**
 * Starts the demo on fresh ports until it is ready. A port picked free can be taken by another test's
 * connection before the demo binds it (the demo then exits saying which port is taken), so a collision
 * is tried again with new ports; any other failure is not.
 */
async function startDemo(
  dir: string,
  command: (file: string) => [string, string[]],
  options: { detached?: boolean } = {},
): Promise<{ brokerPort: number } & Awaited<ReturnType<typeof startUntil>>> {
  for (let attempt = 1; ; attempt++) {
    const { file, brokerPort } = await demoConfig(dir);
    const [bin, args] = command(file);
    try {
      return { brokerPort, ...(await startUntil(bin, args, 'Ctrl-C stops everything', cleanups, options)) };
    } catch (error) {
      if (attempt === 3 || !/EADDRINUSE|is taken/.test(String(error))) throw error;
    }
  }
}

describe('npm start demo', () => {
  it('stops when a process manager sends SIGINT to npm alone (not to its process group), freeing its ports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-demo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { child, brokerPort } = await startDemo(dir, (file) => ['npm', ['start', '--silent', '--', file]], { detached: true });
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
    // Nothing of the demo is left holding the broker port.
    await expect.poll(() => portFree(brokerPort), { timeout: 10_000 }).toBe(true);
  }, 60_000);

  it('brings up four simulated cameras behind the bridge and stops cleanly on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-demo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { child, brokerPort, stdout: printed } = await startDemo(dir, (file) => [process.execPath, [demoBin, file]]);
    let stdout = printed();
    expect(stdout).toContain(`mosquitto_sub -h 127.0.0.1 -p ${brokerPort} -t 'camflow/#' -v`);
    const ha = await TestMqttClient.connect(`mqtt://127.0.0.1:${brokerPort}`, ['homeassistant/device/+/config', 'camflow/+/availability', 'camflow/front/snapshot', 'camflow/front/overlay/1/shown']);
    cleanups.push(() => ha.close());
    const serials = new Set<string>();
    for (const camera of ['front', 'yard', 'garage', 'trail']) {
      const config = JSON.parse((await ha.waitFor(`homeassistant/device/camflow_${camera}/config`, (m) => m.text.includes('"sn"') || camera === 'trail')).text) as { dev: { sn?: string } };
      if (config.dev.sn !== undefined) serials.add(config.dev.sn);
      await ha.waitFor(`camflow/${camera}/availability`, (m) => m.text === 'online');
    }
    // Looks like cameras: each its own serial, real-size pictures with the overlay text, the text shown on MQTT.
    expect(serials.size).toBe(3);
    const snapshot = (await ha.waitFor('camflow/front/snapshot', (m) => m.payload.length > 20_000, { timeoutMs: 30_000 })).payload;
    expect(snapshot.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect((await ha.waitFor('camflow/front/overlay/1/shown')).text).toMatch(/^Front door \d\d:\d\d:\d\d$/);
    // The status page, at the address the demo prints.
    const page = /Status page: (http:\/\/\S+)/.exec(stdout)?.[1];
    expect(page).toBeDefined();
    const state = (await (await fetch(`${page}api/state`)).json()) as { cameras: { id: string }[] };
    expect(state.cameras.map((c) => c.id)).toEqual(['front', 'yard', 'garage', 'trail']);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    stdout = printed();
    expect(stdout).toContain('demo: stopped');
  });
});
