import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CamflowError, IsapiError, type RecordingMatch } from '@camflow/core';
import type { HikvisionSimulatorOptions } from '@camflow/simulators';
import { simulatedHikvision } from '../../helpers/hikvision.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(simOptions: HikvisionSimulatorOptions = {}) {
  const { sim, client } = await simulatedHikvision(cleanup, { recordingCount: 3, ...simOptions });
  const dir = await mkdtemp(join(tmpdir(), 'camflow-dl-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const [recording] = await client.searchRecordings({ from: new Date('2024-05-01T00:00:00Z'), to: new Date('2024-05-02T00:00:00Z') });
  return { sim, client, dir, recording: recording as RecordingMatch };
}

describe('HikvisionClient.downloadRecording when the body breaks off', () => {
  it('the connection dropped mid-body (slow body, some bytes already on disk): no file, no .part, a clear error', async () => {
    const { sim, client, dir, recording } = await setup();
    sim.setFaults({ truncateBodyNext: 1, slowBodyMs: 2 });
    const progress: { bytes: number; total?: number }[] = [];
    const error = await client.downloadRecording(recording.playbackURI, join(dir, 'clip.mpg'), { onProgress: (p) => progress.push(p) }).catch((e: unknown) => e);
    expect(sim.stats.truncated).toBe(1);
    // Part of the body had arrived and was written to clip.mpg.part before the break.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.bytes).toBeLessThan(recording.size!);
    expect(progress.at(-1)!.total).toBe(recording.size);
    expect(error).toBeInstanceOf(CamflowError);
    expect((error as Error).message).toMatch(/download/i);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a body shorter than its Content-Length (connection closed at once): no file, no .part, a clear error', async () => {
    const { sim, client, dir, recording } = await setup();
    sim.setFaults({ truncateBodyNext: 1 });
    const error = await client.downloadRecording(recording.playbackURI, join(dir, 'clip.mpg')).catch((e: unknown) => e);
    expect(sim.stats.truncated).toBe(1);
    expect(error).toBeInstanceOf(CamflowError);
    expect((error as Error).message).toMatch(/download/i);
    expect(await readdir(dir)).toEqual([]);
    // The next download is whole again.
    const result = await client.downloadRecording(recording.playbackURI, join(dir, 'clip.mpg'));
    expect(result.bytes).toBe(recording.size);
    expect(await readdir(dir)).toEqual(['clip.mpg']);
  });
});

describe('HikvisionClient.downloadRecording on a device that downloads by POST only', () => {
  it('falls back to POST when GET answers invalidOperation with HTTP 403', async () => {
    const { sim, client, dir, recording } = await setup({ downloadPostOnly: true });
    const result = await client.downloadRecording(recording.playbackURI, join(dir, 'clip.mpg'));
    expect(result.bytes).toBe(recording.size);
    expect(sim.requestLog.filter((r) => r.path === '/ISAPI/ContentMgmt/download').map((r) => `${r.method} ${r.status}`)).toEqual(['GET 403', 'POST 200']);
  });

  it('falls back to POST when GET answers invalidOperation with HTTP 200 (errors-with-200 firmware)', async () => {
    const { sim, client, dir, recording } = await setup({ downloadPostOnly: true, quirks: { errorsWithHttp200: true } });
    const result = await client.downloadRecording(recording.playbackURI, join(dir, 'clip.mpg'));
    expect(result.bytes).toBe(recording.size);
    expect(sim.requestLog.filter((r) => r.path === '/ISAPI/ContentMgmt/download').map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 200']);
    expect(await readdir(dir)).toEqual(['clip.mpg']);
  });

  it('any other ResponseStatus error to the GET is thrown, with no POST and no file', async () => {
    const { sim, client, dir, recording } = await setup({ quirks: { errorsWithHttp200: true } });
    const error = await client.downloadRecording(recording.playbackURI.replace(/name=[^&]+/, 'name=nope'), join(dir, 'x.mpg')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IsapiError);
    expect(error).toMatchObject({ subStatusCode: 'badParameters' });
    expect(sim.requestLog.filter((r) => r.path === '/ISAPI/ContentMgmt/download').map((r) => r.method)).toEqual(['GET']);
    expect(await readdir(dir)).toEqual([]);
  });
});
