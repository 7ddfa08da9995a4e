import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, ConnectionError, IsapiError, ProtocolError, TextTooLongError, TimeoutError } from '@camflow/core';
import type { HikvisionSimulatorOptions } from '@camflow/simulators';
import { simulatedHikvision, type HikvisionClientOptions } from '../../helpers/hikvision.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function setup(simOptions: HikvisionSimulatorOptions = {}, clientOptions: HikvisionClientOptions = {}) {
  return simulatedHikvision(cleanup, simOptions, { eventReconnectMs: { initial: 20, max: 200 }, ...clientOptions });
}

describe('HikvisionClient against the simulator', () => {
  it('reads deviceInfo', async () => {
    const { client } = await setup({ deviceName: 'Front & door', serialNumber: 'SN123' });
    const info = await client.deviceInfo();
    expect(info).toMatchObject({ deviceName: 'Front & door', serialNumber: 'SN123', model: 'DS-2CD2143G2-I', deviceType: 'IPCamera' });
    expect(info.extra['encoderVersion']).toBe('V7.3');
  });

  it('reads and writes text overlays, escaped, one PUT per batch in steady state with no 401', async () => {
    const { sim, client } = await setup();
    expect(await client.getTextOverlays(1)).toHaveLength(4);
    await client.setTextOverlays(1, [{ id: 1, text: 'Temp <21.5> & "dry"', enabled: true }, { id: 2, text: 'B' }]);
    expect(sim.overlay(1, 1)).toMatchObject({ text: 'Temp <21.5> & "dry"', enabled: true });
    expect(sim.overlay(1, 2)?.text).toBe('B');
    const before = sim.requestLog.length;
    await client.setTextOverlays(1, [{ id: 1, text: 'again' }]);
    expect(sim.requestLog.slice(before).map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 200']);
    expect(sim.overlay(1, 2)?.text).toBe('B');
    await client.setTextOverlay(1, { id: 3, text: 'single', enabled: true });
    expect(sim.overlay(1, 3)).toMatchObject({ text: 'single', enabled: true });
    expect((await client.getTextOverlays(1)).map((o) => o.text)).toEqual(['again', 'B', 'single', '']);
    expect(sim.stats.unauthorized).toBe(1);
  });

  it('first contact (overlays and limit at once, then a write) costs one 401 and one connection', async () => {
    const { sim, client } = await setup();
    await Promise.all([client.getTextOverlays(1), client.textLimit(1)]);
    await client.setTextOverlays(1, [{ id: 1, text: 'x' }]);
    expect(sim.stats).toMatchObject({ requests: 4, unauthorized: 1, failedLogins: 0, connectionsOpened: 1 });
  });

  it('falls back to one PUT per overlay when the list PUT is notSupport', async () => {
    const { sim, client } = await setup({ batchOverlays: false });
    await client.setTextOverlays(1, [{ id: 1, text: 'one' }, { id: 2, text: 'two' }]);
    expect([sim.overlay(1, 1)?.text, sim.overlay(1, 2)?.text]).toEqual(['one', 'two']);
    const puts = sim.requestLog.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.status)).toEqual([403, 200, 200]);
  });

  it('refuses a text longer than the device allows before sending it', async () => {
    const { sim, client } = await setup({ maxTextLength: 10 });
    expect(await client.textLimit(1)).toBe(10);
    await expect(client.setTextOverlay(1, { id: 1, text: 'x'.repeat(11) })).rejects.toBeInstanceOf(TextTooLongError);
    expect(sim.requestLog.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('takes a JPEG snapshot, and falls back to the NVR path', async () => {
    const { client } = await setup();
    const jpeg = await client.snapshot(1);
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    const nvr = await setup({ nvr: true });
    expect((await nvr.client.snapshot(1))[0]).toBe(0xff);
    expect(nvr.sim.requestLog.filter((r) => r.status !== 401).map((r) => r.path)).toEqual([
      '/ISAPI/Streaming/channels/101/picture',
      '/ISAPI/ContentMgmt/StreamingProxy/channels/101/picture',
    ]);
    await expect(client.snapshot(9)).rejects.toBeInstanceOf(IsapiError);
  });

  it('starts and stops manual recording, and types ResponseStatus errors', async () => {
    const { sim, client } = await setup();
    await client.startRecording(101);
    expect([...sim.recordingTracks]).toEqual([101]);
    await client.stopRecording(101);
    expect(sim.recordingTracks.size).toBe(0);
    const error = await client.startRecording(999).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IsapiError);
    expect(error).toMatchObject({ statusCode: 6, subStatusCode: 'badParameters', httpStatus: 400 });
  });

  it('searches recordings page by page and downloads one through a .part file', async () => {
    const { sim, client } = await setup({ recordingCount: 95, searchPageSize: 40 });
    const matches = await client.searchRecordings({ from: new Date('2024-04-01T00:00:00Z'), to: new Date('2024-05-02T00:00:00Z') });
    expect(matches).toHaveLength(95);
    expect(sim.requestLog.filter((r) => r.path === '/ISAPI/ContentMgmt/search' && r.status === 200)).toHaveLength(3);
    const first = matches[0]!;
    expect(first.playbackURI).toContain('&endtime=');
    const dir = await mkdtemp(join(tmpdir(), 'camflow-dl-'));
    const progress: number[] = [];
    const result = await client.downloadRecording(first.playbackURI, join(dir, 'clip.mpg'), { onProgress: (p) => progress.push(p.bytes) });
    expect(result.bytes).toBe(first.size);
    const bytes = await readFile(result.path);
    expect(bytes.readUInt32BE(0)).toBe(0x000001ba); // MPEG-PS pack header
    expect(progress.at(-1)).toBe(result.bytes);
    expect(await readdir(dir)).toEqual(['clip.mpg']);
    await expect(client.downloadRecording(first.playbackURI.replace(/name=[^&]+/, 'name=nope'), join(dir, 'x.mpg'))).rejects.toBeInstanceOf(IsapiError);
    expect(await readdir(dir)).toEqual(['clip.mpg']);
  });

  it('wrong password: AuthError after two attempts, none during the back-off', async () => {
    const { sim, client } = await setup({}, { password: 'nope' });
    await expect(client.deviceInfo()).rejects.toBeInstanceOf(AuthError);
    await expect(client.snapshot(1)).rejects.toBeInstanceOf(AuthError);
    expect(sim.stats.requests).toBe(2);
  });

  it('faults: a dropped connection is retried once, two are a ConnectionError', async () => {
    const { sim, client } = await setup();
    await client.deviceInfo();
    sim.setFaults({ dropNext: 1 });
    await expect(client.deviceInfo()).resolves.toMatchObject({ model: 'DS-2CD2143G2-I' });
    sim.setFaults({ dropNext: 2 });
    await expect(client.deviceInfo()).rejects.toBeInstanceOf(ConnectionError);
  });

  it('faults: 5xx, malformed XML, slow bodies and latency beyond the timeout', async () => {
    const { sim, client } = await setup();
    sim.setFaults({ errorNext: 1 });
    await expect(client.deviceInfo()).rejects.toThrow(/HTTP 503/);
    sim.setFaults({ malformedXml: true });
    await expect(client.deviceInfo()).rejects.toBeInstanceOf(ProtocolError);
    sim.setFaults({ malformedXml: false, slowBodyMs: 5 });
    expect((await client.snapshot(1))[0]).toBe(0xff);
    sim.setFaults({ slowBodyMs: 0, latencyMs: 300 });
    await expect(client.deviceInfo({ timeoutMs: 50 })).rejects.toBeInstanceOf(TimeoutError);
    sim.setFaults({ latencyMs: 0 });
    await expect(client.deviceInfo()).resolves.toBeDefined();
  });
});

describe('HikvisionClient events', () => {
  it('shares one alert stream, reports active then inactive, tolerates raw & and boundary quirks', async () => {
    const { sim, client } = await setup({ quirks: { rawAmpersand: true, mismatchedBoundary: true }, heartbeatMs: 20 }, { eventHoldMs: 100 });
    const controller = new AbortController();
    cleanup.push(async () => controller.abort());
    const a = client.events({ signal: controller.signal })[Symbol.asyncIterator]();
    const b = client.events({ signal: controller.signal })[Symbol.asyncIterator]();
    const nextA = a.next();
    const nextB = b.next();
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'VMD', channel: 1, picture: true });
    expect((await nextA).value).toMatchObject({ type: 'vmd', state: 'active', channel: 1 });
    expect((await nextB).value).toMatchObject({ type: 'vmd', state: 'active' });
    expect(sim.stats.alertStreamsOpened).toBe(1);
    sim.triggerEvent({ type: 'linedetection', state: 'active' });
    sim.triggerEvent({ type: 'LineDetection', state: 'inactive' });
    expect((await a.next()).value).toMatchObject({ type: 'linedetection', state: 'active' });
    expect((await a.next()).value).toMatchObject({ type: 'linedetection', state: 'inactive' });
    // VMD never posts inactive: it ends after the hold time with no refresh.
    expect((await a.next()).value).toMatchObject({ type: 'vmd', state: 'inactive' });
    await a.return?.();
    await b.return?.();
    await vi.waitFor(() => expect(sim.stats.alertStreamsOpen).toBe(0));
  });

  it('comes back by itself after the camera reboots', async () => {
    const { sim, client } = await setup();
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    await sim.waitForAlertStreams(1);
    sim.reboot();
    await vi.waitFor(() => expect(sim.stats.alertStreamsOpened).toBe(2));
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'IO', channel: 1 });
    expect((await next).value).toMatchObject({ type: 'io', state: 'active' });
    await client.close();
    expect((await it.next()).done).toBe(true);
    await vi.waitFor(() => expect(sim.stats.connectionsOpen).toBe(0));
  });

  it('reconnects when the idle watchdog sees no heartbeat (cable pulled without a FIN)', async () => {
    const { sim, client } = await setup({ heartbeatMs: 60_000 }, { eventIdleTimeoutMs: 100 });
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    await sim.waitForAlertStreams(1);
    await vi.waitFor(() => expect(sim.stats.alertStreamsOpened).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'PIR' });
    expect((await next).value).toMatchObject({ type: 'pir' });
    await it.return?.();
  });
});
