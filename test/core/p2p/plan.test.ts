import { describe, expect, it } from 'vitest';
import { AbortError, lanSearchTargets, resolveServers } from '@camflow/core';

// Pure planning: nothing here sends a datagram (a real broadcast address may appear as a value only).
describe('TrailCam path planning', () => {
  it('searches the camera by unicast and the broadcast target, both', () => {
    expect(lanSearchTargets('192.168.43.1', 32108, '255.255.255.255')).toEqual([
      { address: '192.168.43.1', port: 32108 },
      { address: '255.255.255.255', port: 32108 },
    ]);
    expect(lanSearchTargets(undefined, 32108, '192.168.43.255')).toEqual([{ address: '192.168.43.255', port: 32108 }]);
    expect(lanSearchTargets('192.168.43.1', 32108, false)).toEqual([{ address: '192.168.43.1', port: 32108 }]);
  });

  it('bounds server name lookups by the signal: an abort during the lookup rejects with AbortError', async () => {
    expect(await resolveServers(['localhost:32100', { address: '127.0.0.1', port: 1 }], new AbortController().signal)).toEqual([
      { address: '127.0.0.1', port: 32100 },
      { address: '127.0.0.1', port: 1 },
    ]);
    const controller = new AbortController();
    const pending = resolveServers(['localhost:32100'], controller.signal);
    controller.abort(); // the lookup runs on libuv's thread pool: it cannot have answered yet
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(resolveServers(['localhost:32100'], AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
  });
});
