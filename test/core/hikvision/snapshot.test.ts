import { afterEach, describe, expect, it } from 'vitest';
import { IsapiError, ProtocolError } from '@camflow/core';
import type { HikvisionSimulator, HikvisionSimulatorOptions } from '@camflow/simulators';
import { simulatedHikvision } from '../../helpers/hikvision.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const setup = (simOptions: HikvisionSimulatorOptions = {}) => simulatedHikvision(cleanup, simOptions);

const picturePaths = (sim: HikvisionSimulator): string[] => sim.requestLog.filter((r) => r.status !== 401).map((r) => r.path);

describe('HikvisionClient.snapshot with a 200 that is not a JPEG', () => {
  it('an HTML page is a ProtocolError naming the path and what came instead', async () => {
    const { sim, client } = await setup();
    sim.setFaults({ pictureAnswer: 'html' });
    const error = await client.snapshot(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/\/ISAPI\/Streaming\/channels\/101\/picture.*not a JPEG.*text\/html/);
    // Not an NVR answer: the proxy path is not tried.
    expect(picturePaths(sim)).toEqual(['/ISAPI/Streaming/channels/101/picture']);
    sim.setFaults({ pictureAnswer: 'jpeg' });
    expect((await client.snapshot(1))[0]).toBe(0xff);
  });

  it('an XML ResponseStatus OK with no picture is a ProtocolError too', async () => {
    const { sim, client } = await setup();
    sim.setFaults({ pictureAnswer: 'xml' });
    const error = await client.snapshot(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).not.toBeInstanceOf(IsapiError);
    expect((error as Error).message).toMatch(/not a JPEG.*application\/xml/);
  });

  it('an NVR that answers badXmlContent with HTTP 200 still gets the StreamingProxy fallback', async () => {
    const { sim, client } = await setup({ nvr: true, quirks: { errorsWithHttp200: true } });
    const jpeg = await client.snapshot(1);
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect(sim.requestLog.filter((r) => r.status !== 401).map((r) => `${r.path} ${r.status}`)).toEqual([
      '/ISAPI/Streaming/channels/101/picture 200',
      '/ISAPI/ContentMgmt/StreamingProxy/channels/101/picture 200',
    ]);
    // Remembered: the next snapshot goes straight to the proxy path.
    await client.snapshot(1);
    expect(picturePaths(sim).at(-1)).toBe('/ISAPI/ContentMgmt/StreamingProxy/channels/101/picture');
    expect(picturePaths(sim)).toHaveLength(3);
  });

  it('an NVR whose proxy path also answers HTML: the fallback is tried, then a ProtocolError', async () => {
    const { sim, client } = await setup({ nvr: true });
    sim.setFaults({ pictureAnswer: 'html' });
    await expect(client.snapshot(1)).rejects.toBeInstanceOf(ProtocolError);
    expect(picturePaths(sim)).toEqual(['/ISAPI/Streaming/channels/101/picture', '/ISAPI/ContentMgmt/StreamingProxy/channels/101/picture']);
  });
});
