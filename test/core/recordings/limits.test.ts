/**
 * What a download job refuses or limits: parallel streams per NVR, a recording still being
 * written, a full or unwritable disk (failed at once, clearly, with nothing left behind).
 */
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { queueRecordingDownloads } from '@camflow/core';
import { type Cleanup, recordingsRig, settled, SPAN } from './rig.js';

const cleanup: Cleanup = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

describe('download limits', () => {
  it('at most 2 streams per NVR by default', async () => {
    const { pipeline, sim } = await recordingsRig(cleanup, { sim: { recordingCount: 6, recordingBytes: 60_000, downloadBytesPerSecond: 150_000 } });
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    const done = await Promise.all(jobs.map((j) => settled(pipeline.engine, j.id)));
    expect(done.every((j) => j.state === 'completed')).toBe(true);
    expect(sim.stats.downloads).toBe(6);
    expect(sim.stats.downloadsMaxOpen).toBe(2);
  });

  it('pipeline.per_camera sets the limit', async () => {
    const { pipeline, sim } = await recordingsRig(cleanup, {
      sim: { recordingCount: 4, recordingBytes: 60_000, downloadBytesPerSecond: 150_000 },
      pipeline: '  per_camera: { download: 1 }\n',
    });
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    const done = await Promise.all(jobs.map((j) => settled(pipeline.engine, j.id)));
    expect(done.every((j) => j.state === 'completed')).toBe(true);
    expect(sim.stats.downloadsMaxOpen).toBe(1);
  });

  it('a recording whose end is still ahead is not queued, and a job for it waits for its end, without a file', async () => {
    const end = new Date(Date.now() + 5 * 60_000);
    const { pipeline, sim, media } = await recordingsRig(cleanup, { sim: { recordingCount: 2, recordingsEnd: end } });
    const queued = await queueRecordingDownloads(pipeline, 'nvr', { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) });
    expect(queued.matches).toHaveLength(2);
    expect(queued.incomplete.map((m) => m.endTime.toISOString())).toEqual([new Date(Math.floor(end.getTime() / 1000) * 1000).toISOString()]);
    expect(queued.jobs).toHaveLength(1);
    const open = queued.incomplete[0]!;
    const job = await pipeline.engine.add(
      'download',
      { camera: 'nvr', playback_uri: open.playbackURI, start: open.startTime.toISOString(), end: open.endTime.toISOString(), size: open.size },
      { attempts: 2 },
    );
    // Not retried after the short back-off (50 ms here) but once the recording is whole: its end plus a minute.
    await expect.poll(async () => (await pipeline.engine.get(job.id))?.error ?? '', { timeout: 10_000 }).toMatch(/camera nvr: recording .* is still being written .*\[RECORDING_NOT_COMPLETE\]/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const waiting = await pipeline.engine.get(job.id);
    expect(waiting).toMatchObject({ state: 'delayed', attempts: 1 });
    await pipeline.engine.cancel(job.id);
    await settled(pipeline.engine, queued.jobs[0]!.id);
    expect(sim.stats.downloads).toBe(1);
    expect((await files(media)).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('an unwritable folder fails the job at once with one clear line, no file, no retry', async () => {
    const { pipeline, sim, dir } = await recordingsRig(cleanup, { pipeline: '  recording_name: "{camera}/{date}/{start}.mpg"\n' });
    // media/nvr is a file, so the recording's folder cannot be made (root can write anywhere else).
    await mkdir(join(dir, 'media'), { recursive: true });
    await writeFile(join(dir, 'media', 'nvr'), 'not a folder');
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    const job = await settled(pipeline.engine, jobs[0]!.id);
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toMatch(/^camera nvr: cannot write .*media\/nvr\/2024-05-01: the folder does not exist \[ENOTDIR\]$/);
    expect(job.error).not.toContain('\n');
    expect(sim.stats.downloads).toBe(0);
    expect(await files(join(dir, 'media'))).toEqual(['nvr']);
  });

  it('a full disk fails the job at once, removes the partial file and is not retried', async () => {
    const { pipeline, sim, media } = await recordingsRig(cleanup, { sim: { recordingCount: 1, recordingBytes: 100_000 }, workers: false });
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    // The .part is /dev/full: every write answers ENOSPC, as a full disk does.
    const path = join(media, 'recordings/nvr/2024-05-01/11-50-00_12-00-00.mp4');
    await mkdir(dirname(path), { recursive: true });
    await symlink('/dev/full', `${path}.part`);
    await pipeline.engine.startWorkers();
    const job = await settled(pipeline.engine, jobs[0]!.id);
    expect(job.state).toBe('failed');
    expect(job.attempts).toBe(1);
    expect(job.error).toMatch(/^camera nvr: cannot write .*11-50-00_12-00-00\.mp4\.part: the disk is full \[ENOSPC\]$/);
    expect(sim.stats.downloads).toBe(1);
    expect(await files(media)).toEqual([]);
  });

  it('a cancelled download leaves no partial file', async () => {
    const { pipeline, sim, media } = await recordingsRig(cleanup, { sim: { recordingCount: 1, recordingBytes: 400_000, downloadBytesPerSecond: 100_000 } });
    const { jobs } = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
    await expect.poll(() => sim.stats.downloadsOpen, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await files(media)).length, { timeout: 10_000 }).toBe(1);
    await pipeline.engine.cancel(jobs[0]!.id);
    expect((await settled(pipeline.engine, jobs[0]!.id)).state).toBe('cancelled');
    await expect.poll(() => files(media), { timeout: 10_000 }).toEqual([]);
  });
});
