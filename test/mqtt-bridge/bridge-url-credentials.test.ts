/** Credentials inside mqtt.url, with characters a URL parser stumbles on (`#`, `@`). */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';
import { Bridge, splitUserinfo } from 'camflow-mqtt-bridge';
import { Mosquitto } from '../helpers/mosquitto.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('credentials in mqtt.url', () => {
  it('are split off by hand: the last @ before the path ends them, percent-escapes decoded', () => {
    expect(splitUserinfo('mqtt://cam:pa#ss@word@broker.lan:1883')).toEqual({ url: 'mqtt://broker.lan:1883', username: 'cam', password: 'pa#ss@word' });
    expect(splitUserinfo('mqtts://u%40x:p%23w@h/path')).toEqual({ url: 'mqtts://h/path', username: 'u@x', password: 'p#w' });
    expect(splitUserinfo('mqtt://broker.lan')).toEqual({ url: 'mqtt://broker.lan' });
  });

  it('log in to a real Mosquitto with a # and an @ in the password, and no warning prints the URL', async () => {
    const password = 'pa#ss@w0rd';
    const broker = new Mosquitto({ users: { camflow: password } });
    await broker.start();
    cleanups.push(() => broker.close());
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    cleanups.push(async () => void process.off('warning', onWarning));
    const config = parseConfig(`mqtt:\n  url: "mqtt://camflow:${password}@127.0.0.1:${broker.port}"\n`, { env: {} });
    const bridge = new Bridge({ config, version: '1.0.0' });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    await bridge.waitConnected(AbortSignal.timeout(10_000));
    expect(bridge.brokerUrl).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(warnings.filter((w) => w.includes(password) || w.includes('url.parse'))).toEqual([]);
  });
});
