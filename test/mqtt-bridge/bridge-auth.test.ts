/**
 * `camflow bridge` as a real process against a Mosquitto that refuses anonymous clients
 * (password_file from mosquitto_passwd, allow_anonymous false): it logs in with mqtt.username and
 * mqtt.password from the config (the password from the environment), and no secret — broker
 * password, camera username or password — appears in any topic, payload, log line or output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { camflowBin, repoRoot } from '../helpers/cli.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { TestMqttClient } from '../helpers/mqtt.js';

const BROKER_USER = 'bridgeuser';
const BROKER_PASSWORD = 'Br0kerS3cretPw';
const CAMERA_USER = 'camoperator';
const CAMERA_PASSWORD = 'Cam3raS3cretPw';
const HA = { username: 'homeassistant', password: 'Ha-Pa55word' };
const SECRETS = [BROKER_PASSWORD, CAMERA_USER, CAMERA_PASSWORD];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(): Promise<Mosquitto> {
  const mosquitto = new Mosquitto({ users: { [BROKER_USER]: BROKER_PASSWORD, [HA.username]: HA.password } });
  cleanups.push(() => mosquitto.close());
  await mosquitto.start();
  return mosquitto;
}

interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once the output (stdout + stderr) satisfies the test. */
  until(test: (output: { stdout: string; stderr: string }) => boolean): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

async function runBridge(configLines: string[], env: Record<string, string>): Promise<CliProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-auth-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'camflow.yaml');
  await writeFile(config, `${configLines.join('\n')}\n`);
  const child = spawn(process.execPath, [camflowBin, 'bridge', '--config', config], {
    cwd: repoRoot,
    env: { ...process.env, CAMFLOW_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  const output = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout?.on('data', (chunk: Buffer) => ((output.stdout += chunk.toString()), wake()));
  child.stderr?.on('data', (chunk: Buffer) => ((output.stderr += chunk.toString()), wake()));
  return {
    child,
    get stdout() {
      return output.stdout;
    },
    get stderr() {
      return output.stderr;
    },
    until(test) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!test(output)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        child.once('exit', (code) => reject(new Error(`camflow bridge exited (${code}):\n${output.stdout}\n${output.stderr}`)));
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} contains '${secret}'`).toBe(false);
}

describe('camflow bridge on a broker with authentication', () => {
  it('logs in with mqtt.username/password from the config and never publishes, logs or prints a secret', async () => {
    const mosquitto = await broker();
    const camera = new HikvisionSimulator({ username: CAMERA_USER, password: CAMERA_PASSWORD, heartbeatMs: 1000 });
    await camera.start();
    cleanups.push(() => camera.stop());
    // Home Assistant: authenticated too, watching everything from before the bridge starts.
    const ha = await TestMqttClient.connect(mosquitto.url, ['#'], HA);
    cleanups.push(() => ha.close());
    const bridge = await runBridge(
      [
        'mqtt:',
        `  url: ${mosquitto.url}`,
        `  username: ${BROKER_USER}`,
        '  password: ${MQTT_PASSWORD}',
        '  snapshot_interval: 1h',
        'cameras:',
        '  - id: yard',
        '    type: hikvision',
        '    host: 127.0.0.1',
        `    port: ${camera.port}`,
        `    username: ${CAMERA_USER}`,
        '    password: ${CAM_PASSWORD}',
        '    overlays:',
        '      - { id: 1, text: "Yard {{value.note}}" }',
      ],
      { MQTT_PASSWORD: BROKER_PASSWORD, CAM_PASSWORD: CAMERA_PASSWORD },
    );
    await ha.waitFor('camflow/yard/availability', (m) => m.text === 'online', { timeoutMs: 15_000 });
    await ha.waitFor('homeassistant/device/camflow_yard/config');
    await ha.waitFor('camflow/yard/snapshot');
    // Commands travel too: an overlay value reaches the camera, an unknown command is refused.
    await ha.publish('camflow/yard/overlay/1/set', 'hello');
    await vi.waitFor(() => expect(camera.overlay(1, 1)?.text).toBe('Yard hello'), { timeout: 10_000, interval: 20 });
    await ha.publish('camflow/yard/reboot/press', 'PRESS');
    await ha.waitFor('camflow/bridge/error');
    expect(await bridge.stop()).toBe(0);
    await ha.waitFor('camflow/bridge/availability', (m) => m.text === 'offline');
    expect(ha.received.length).toBeGreaterThan(10);
    for (const message of ha.received) {
      expectNoSecret(message.topic, 'topic');
      expectNoSecret(message.payload.toString('latin1'), `payload of ${message.topic}`);
    }
    expect(bridge.stderr).toContain(`MQTT connected to ${mosquitto.url}`);
    expectNoSecret(bridge.stdout, 'stdout');
    expectNoSecret(bridge.stderr, 'stderr');
  });

  it('prints the broker URL without the credentials it carries', async () => {
    const mosquitto = await broker();
    const watcher = await TestMqttClient.connect(mosquitto.url, ['camflow/bridge/availability'], HA);
    cleanups.push(() => watcher.close());
    const bridge = await runBridge(
      ['mqtt:', `  url: mqtt://${BROKER_USER}:\${MQTT_PASSWORD}@127.0.0.1:${mosquitto.port}`],
      { MQTT_PASSWORD: BROKER_PASSWORD },
    );
    await bridge.until(({ stdout }) => stdout.includes('bridge running'));
    await watcher.waitFor('camflow/bridge/availability', (m) => m.text === 'online');
    expect(await bridge.stop()).toBe(0);
    expect(bridge.stdout).toContain(`running on mqtt://127.0.0.1:${mosquitto.port} `);
    expectNoSecret(bridge.stdout, 'stdout');
    expectNoSecret(bridge.stderr, 'stderr');
  });

  it('says clearly that the broker refused a wrong password, once per attempt, with growing delays', async () => {
    const mosquitto = await broker();
    const bridge = await runBridge(
      ['mqtt:', `  url: ${mosquitto.url}`, `  username: ${BROKER_USER}`, '  password: ${MQTT_PASSWORD}'],
      { MQTT_PASSWORD: 'not-the-password' },
    );
    const refusal = /refused the connection as 'bridgeuser' \(Connection refused: [^)]+\): check mqtt\.username and mqtt\.password; retrying in (\d+) ms/g;
    await bridge.until(({ stderr }) => [...stderr.matchAll(refusal)].length >= 2);
    expect(await bridge.stop()).toBe(0);
    const delays = [...bridge.stderr.matchAll(refusal)].map((m) => Number(m[1]));
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    // Nothing else about the broker: no extra "disconnected" line, no stack trace, no password.
    const mqttLines = bridge.stderr.split('\n').filter((line) => /mqtt/i.test(line) && !/bridge:broker|publisher/.test(line));
    expect(mqttLines.every((line) => line.includes('refused the connection'))).toBe(true);
    expect(bridge.stderr).not.toMatch(/^\s+at /m);
    expect(bridge.stderr).not.toContain('not-the-password');
  });
});
