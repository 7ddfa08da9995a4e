import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionClient, ProtocolError, TimeoutError, type EventStreamStatus } from '@camflow/core';
import { HostileCamera, type HostileMode } from '@camflow/simulators';

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)?.call(item);
});

const MB = 1024 * 1024;

async function hostile(mode: HostileMode, clientOptions: Partial<ConstructorParameters<typeof HikvisionClient>[0]> = {}) {
  const camera = new HostileCamera({ mode });
  await camera.start();
  open.push(camera);
  const client = new HikvisionClient({ host: '127.0.0.1', port: camera.port, username: 'admin', password: 'pw', timeoutMs: 5000, name: 'hostile', ...clientOptions });
  open.push(client);
  return { camera, client };
}

/** The first failed attempt the alert stream reports. */
function firstStreamError(client: HikvisionClient): Promise<Error> {
  return new Promise((resolve) => {
    const events = client.events();
    const onStatus = (status: EventStreamStatus): void => {
      if (status.error === undefined) return;
      client.off('event-stream', onStatus);
      resolve(status.error);
      void events[Symbol.asyncIterator]().return?.();
    };
    client.on('event-stream', onStatus);
    void (async () => {
      for await (const _ of events) void _;
    })();
  });
}

describe('a hostile camera', () => {
  it('a 50 MB XML answer is refused from its Content-Length, before it is read', async () => {
    const { camera, client } = await hostile('huge-xml');
    const error = await client.deviceInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/^GET \/ISAPI\/System\/deviceInfo on hostile: the answer is larger than 1 MB; stopped reading it$/);
    // The socket's buffers are all the camera got to send.
    expect(camera.bytesSent).toBeLessThan(16 * MB);
  });

  it('entity definitions are never expanded', async () => {
    const { client } = await hostile('entity-expansion');
    const before = process.memoryUsage().heapUsed;
    const info = await client.deviceInfo();
    expect(info.model).toBe('bomb');
    expect((info.deviceName ?? '').length).toBeLessThan(100);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * MB);
  });

  it('an endless chunked body is cut at the cap: device info at 1 MB, a snapshot at 16 MB', async () => {
    const { camera, client } = await hostile('endless-chunked');
    await expect(client.deviceInfo()).rejects.toThrow(/larger than 1 MB; stopped reading it/);
    await expect(client.snapshot(1)).rejects.toThrow(/picture on hostile: the answer is larger than 16 MB; stopped reading it/);
    expect(camera.bytesSent).toBeLessThan(64 * MB);
  });

  it('a byte a second ends with the request timeout', async () => {
    const { client } = await hostile('trickle', { timeoutMs: 1500 });
    const error = await client.deviceInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('GET /ISAPI/System/deviceInfo on hostile: no answer within 1500 ms');
  });

  it('an alert stream part announcing 100 MB is refused before its bytes pile up', async () => {
    const { camera, client } = await hostile('huge-part');
    const error = await firstStreamError(client);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/announces 104857600 bytes, more than the 8 MB a camera ever sends/);
    expect(camera.bytesSent).toBeLessThan(32 * MB);
  });

  it('an alert stream part whose boundary never comes is dropped at 8 MB', async () => {
    const { camera, client } = await hostile('no-boundary');
    const error = await firstStreamError(client);
    expect(error.message).toMatch(/a part grew past 8 MB without ending/);
    expect(camera.bytesSent).toBeLessThan(32 * MB);
  });

  it('an alert stream trickling bytes without a whole part is dropped after the idle time', async () => {
    const { client } = await hostile('trickle', { eventIdleTimeoutMs: 1500 });
    const error = await firstStreamError(client);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/no complete event or heartbeat within 1500 ms/);
  });

  it('an alert stream answering 503 with an endless body reads only the start of it', async () => {
    const { camera, client } = await hostile('endless-error');
    const error = await firstStreamError(client);
    expect(error.message).toMatch(/HTTP 503/);
    expect(camera.bytesSent).toBeLessThan(16 * MB);
  });
});

describe('a large part in many small chunks', () => {
  it('is read whole, once its announced length has arrived', async () => {
    const { MultipartReader } = await import('@camflow/core');
    const body = Buffer.alloc(3 * 1024 * 1024, 0x41);
    const stream = Buffer.concat([Buffer.from(`--boundary\r\nContent-Type: image/jpeg\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from('\r\n--boundary\r\nContent-Type: application/xml\r\nContent-Length: 5\r\n\r\n<a/>\n\r\n')]);
    const reader = new MultipartReader();
    const parts = [];
    for (let at = 0; at < stream.length; at += 4096) parts.push(...reader.push(stream.subarray(at, at + 4096)));
    expect(parts.map((p) => p.body.length)).toEqual([body.length, 5]);
    expect(parts[0]?.body.equals(body)).toBe(true);
  });
});
