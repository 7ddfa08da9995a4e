/**
 * `download` jobs against the simulated NVR (strict digest): the file lands under its template name
 * only when whole, what is on disk is not fetched again, a .part is resumed, progress is reported.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DownloadResult, type JobProgress, queueRecordingDownloads } from '@camflow/core';
import { recordingBody } from '@camflow/simulators';
import { type Cleanup, recordingsRig, settled, SPAN } from './rig.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const SIZE = 200_000;

/** Every file under `dir`, relative, sorted. */
async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

describe('download jobs', () => {
  it('queues every recording over several search pages, never the same one twice', async () => {
    const { pipeline, sim } = await recordingsRig(cleanup, { sim: { recordingCount: 95, searchPageSize: 40 }, workers: false });
    const span = { from: new Date('2024-04-30T00:00:00Z'), to: SPAN.to };
    const first = await queueRecordingDownloads(pipeline, 'nvr', span);
    expect(first.matches).toHaveLength(95);
    expect(first.added).toBe(95);
    expect(new Set(first.jobs.map((j) => j.id)).size).toBe(95);
    // Three pages: 40 + 40 + 15.
    expect(sim.requestLog.filter((r) => r.path === '/ISAPI/ContentMgmt/search' && r.status === 200)).toHaveLength(3);
    const again = await queueRecordingDownloads(pipeline, 'nvr', span);
    expect(again.added).toBe(0);
    expect(again.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id));
    expect(await pipeline.engine.list({ type: 'download', limit: 1000 })).toHaveLength(95);
  });

  it('writes the recording under its template name, whole, and reports bytes and bytes/s', async () => {
    const { pipeline, media, sim } = await recordingsRig(cleanup, {
      sim: { recordingBytes: SIZE, downloadBytesPerSecond: 400_000 },
      pipeline: '  recording_name: "nvr/{camera}-{track}/{date}/{start}_{end}.mpg"\n',
    });
    const progress: JobProgress[] = [];
    pipeline.engine.on('progress', (job) => progress.push(job.progress));
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    const done = await Promise.all(jobs.map((j) => settled(pipeline.engine, j.id)));
    expect(done.map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
    const result = done[2]!.result as DownloadResult;
    expect(result).toMatchObject({ camera: 'nvr', start: '2024-05-01T11:50:00.000Z', end: '2024-05-01T12:00:00.000Z', duration_ms: 600_000, bytes: SIZE });
    expect(result.skipped).toBeUndefined();
    expect(result.path).toBe(join(media, 'nvr/nvr-101/2024-05-01/11-50-00_12-00-00.mpg'));
    expect(await readFile(result.path)).toEqual(recordingBody(SIZE));
    expect(await files(media)).toEqual([
      'nvr/nvr-101/2024-05-01/11-30-00_11-40-00.mpg',
      'nvr/nvr-101/2024-05-01/11-40-00_11-50-00.mpg',
      'nvr/nvr-101/2024-05-01/11-50-00_12-00-00.mpg',
    ]);
    expect(sim.stats.downloads).toBe(3);
    // Bytes so far of the whole, and the rate (the engine passes on a few updates a second).
    expect(progress.some((p) => /^[\d.]+ kB of 200 kB, [\d.]+ [kM]?B\/s$/.test(p.message ?? ''))).toBe(true);
    const final = (await pipeline.engine.get(jobs[0]!.id))!.progress;
    expect(final.fraction).toBe(1);
  });

  it('skips a file already on disk with the same size, and fetches one whose size differs', async () => {
    const { pipeline, sim } = await recordingsRig(cleanup, { sim: { recordingBytes: SIZE, recordingCount: 2 } });
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    const first = await Promise.all(jobs.map((j) => settled(pipeline.engine, j.id)));
    expect(sim.stats.downloads).toBe(2);
    const [a, b] = first.map((j) => j.result as DownloadResult);
    // Someone truncated the second file: it is fetched again; the first is left alone.
    await writeFile(b!.path, 'short');
    const again = await Promise.all(
      first.map(async (j) => settled(pipeline.engine, (await pipeline.engine.add('download', j.params)).id)),
    );
    expect(again.map((j) => j.state)).toEqual(['completed', 'completed']);
    expect(again[0]!.result).toMatchObject({ path: a!.path, bytes: SIZE, skipped: true });
    expect((again[1]!.result as DownloadResult).skipped).toBeUndefined();
    expect(sim.stats.downloads).toBe(3);
    expect((await stat(b!.path)).size).toBe(SIZE);
  });

  it('resumes half a .part with a Range request when the device honours Range', async () => {
    const { pipeline, media, sim } = await recordingsRig(cleanup, { sim: { recordingBytes: SIZE, recordingCount: 1, honourRange: true } });
    const body = recordingBody(SIZE);
    const path = join(media, 'recordings/nvr/2024-05-01/11-50-00_12-00-00.mp4');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.part`, body.subarray(0, SIZE / 2));
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    const job = await settled(pipeline.engine, jobs[0]!.id);
    expect(job.state).toBe('completed');
    expect(sim.stats.rangeRequests).toBe(1);
    expect(sim.stats.downloadBytesSent).toBe(SIZE / 2);
    expect(await readFile(path)).toEqual(body);
    expect(await files(media)).toEqual(['recordings/nvr/2024-05-01/11-50-00_12-00-00.mp4']);
  });

  it('starts again from byte 0 when the device ignores Range (200 with the whole recording), never appends', async () => {
    const { pipeline, media, sim } = await recordingsRig(cleanup, { sim: { recordingBytes: SIZE, recordingCount: 1 } });
    const path = join(media, 'recordings/nvr/2024-05-01/11-50-00_12-00-00.mp4');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.part`, Buffer.alloc(SIZE / 2, 0xee));
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    expect((await settled(pipeline.engine, jobs[0]!.id)).state).toBe('completed');
    expect(sim.stats.rangeRequests).toBe(0);
    expect(sim.stats.downloadBytesSent).toBe(SIZE);
    expect(await readFile(path)).toEqual(recordingBody(SIZE));
  });

  it('a download broken off mid-body keeps its .part and the retry resumes it', async () => {
    const { pipeline, media, sim } = await recordingsRig(cleanup, { sim: { recordingBytes: SIZE, recordingCount: 1, honourRange: true }, workers: false });
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    sim.setFaults({ truncateBodyNext: 1 });
    await pipeline.engine.startWorkers();
    const job = await settled(pipeline.engine, jobs[0]!.id);
    expect(job.state).toBe('completed');
    expect(job.attempts).toBe(2);
    expect(sim.stats.truncated).toBe(1);
    expect(sim.stats.rangeRequests).toBe(1);
    // Half went out on the first attempt; the second asked only for what had not arrived (from
    // the first byte missing), so less went out in all than half plus a whole recording.
    expect(sim.stats.downloadBytesSent).toBeLessThan(SIZE * 1.5);
    expect(await readFile((job.result as DownloadResult).path)).toEqual(recordingBody(SIZE));
    expect(await files(media)).toHaveLength(1);
  });
});
