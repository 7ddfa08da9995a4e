/** The embedded broker with mqtt.username/password set: only that login gets in; off loopback it needs one. */
import { afterEach, describe, expect, it } from 'vitest';
import { connectAsync } from 'mqtt';
import { ConfigError, parseConfig } from '@camflow/core';
import { Bridge } from 'camflow-mqtt-bridge';

const bridges: Bridge[] = [];
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.stop()));
});

async function refused(url: string, options: { username?: string; password?: string }): Promise<string> {
  try {
    const client = await connectAsync(url, { ...options, reconnectPeriod: 0, connectTimeout: 3000 });
    await client.endAsync();
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('the embedded broker', () => {
  it('enforces the configured credentials: anonymous and wrong passwords are refused, the bridge gets in', async () => {
    const config = parseConfig('mqtt:\n  username: camflow\n  password: S3cret-broker\n  embedded: { port: 0 }\n', { env: {} });
    const bridge = new Bridge({ config });
    bridges.push(bridge);
    await bridge.start();
    await bridge.waitConnected(AbortSignal.timeout(5000));
    const url = bridge.brokerUrl ?? '';
    expect(await refused(url, {})).toMatch(/Bad username or password|Not authorized/i);
    expect(await refused(url, { username: 'camflow', password: 'wrong' })).toMatch(/Bad username or password|Not authorized/i);
    expect(await refused(url, { username: 'other', password: 'S3cret-broker' })).toMatch(/Bad username or password|Not authorized/i);
    expect(await refused(url, { username: 'camflow', password: 'S3cret-broker' })).toBe('accepted');
  });

  it('refuses to listen off loopback without credentials, saying why', async () => {
    const config = parseConfig('mqtt:\n  embedded: { host: 0.0.0.0, port: 0 }\n', { env: {} });
    const bridge = new Bridge({ config });
    bridges.push(bridge);
    const error = await bridge.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^mqtt\.embedded\.host is 0\.0\.0\.0, but no mqtt\.username and mqtt\.password are set: anyone on the network could read camera images/);
  });

  it('listens off loopback when credentials are set', async () => {
    const config = parseConfig('mqtt:\n  username: camflow\n  password: S3cret-broker\n  embedded: { host: 0.0.0.0, port: 0 }\n', { env: {} });
    const bridge = new Bridge({ config });
    bridges.push(bridge);
    await bridge.start();
    await bridge.waitConnected(AbortSignal.timeout(5000));
    expect(bridge.connected).toBe(true);
  });
});
