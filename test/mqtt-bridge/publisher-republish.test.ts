/**
 * The publisher re-sends every retained state when the broker connection comes (back). A state that
 * changes while that re-send is under way must win: the broker has to keep the newest value, not the
 * one the re-send started with (the bridge's cameras_online once stayed at 0 that way while the
 * camera was online). Against the real embedded broker, through the bridge's own connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@camflow/core';
import { EmbeddedBroker, MqttConnection, Publisher } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const logger = createLogger({ level: 'error', sink: () => {} });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Publisher.republish', () => {
  it('sends the newest value of a state that changes while it re-sends', async () => {
    const broker = new EmbeddedBroker({ port: 0 });
    await broker.start();
    cleanups.push(() => broker.stop());
    const connection = new MqttConnection({ url: broker.url, will: { topic: 'test/availability', payload: 'offline' }, logger });
    cleanups.push(() => connection.stop());
    const publisher = new Publisher(connection, logger, 'camflow');
    // Remembered while disconnected; the target last, so the re-send reaches it after many round trips.
    for (let i = 0; i < 50; i++) await publisher.state(`test/state/${i}`, String(i), 1);
    await publisher.state('test/cameras_online', '0');
    const connected = new Promise<void>((resolve) => connection.once('connect', () => resolve()));
    connection.start();
    await connected;
    const resending = publisher.republish();
    await publisher.state('test/cameras_online', '1'); // the camera came online meanwhile
    await resending;
    const reader = await TestMqttClient.connect(broker.url, ['test/cameras_online']);
    cleanups.push(() => reader.close());
    expect((await reader.waitFor('test/cameras_online')).text).toBe('1');
  });
});
