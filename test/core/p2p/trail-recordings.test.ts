/**
 * A TrailCam's photos and videos as `download` jobs (the pipeline, SQLite) and from
 * `camflow recordings download` (a real process), against the simulator: byte-exact, queued once,
 * skipped when on disk, named by the recording template with .jpg/.mp4.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline, type DownloadResult, loadConfig, type Pipeline, queueRecordingDownloads } from '@camflow/core';
import { mediaFileBytes, TrailCamSimulator } from '@camflow/simulators';
import { runCamflow } from '../../helpers/cli.js';
import { settled } from '../recordings/rig.js';

let camera: TrailCamSimulator;
let dir: string;
let pipeline: Pipeline | undefined;

beforeEach(async () => {
  camera = new TrailCamSimulator({ photos: 3, videos: 2 });
  await camera.start();
  dir = await mkdtemp(join(tmpdir(), 'camflow-trail-rec-'));
  await writeFile(
    join(dir, 'camflow.yaml'),
    [
      'cameras:',
      '  - id: trail',
      '    type: p2p',
      '    did: LBCS-000000-CCCJJ',
      '    host: 127.0.0.1',
      `    lan_port: ${camera.lanPort}`,
      `    ports: [${camera.sessionPort}]`,
      '    relay: false',
      '    username: admin',
      '    password: admin',
      '    timeout: 5s',
      'pipeline:',
      '  data_dir: data',
      '  media_dir: media',
      '  retry_delay: 50ms',
      '',
    ].join('\n'),
  );
});
afterEach(async () => {
  await pipeline?.close(0);
  pipeline = undefined;
  await camera.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('TrailCam media as download jobs', () => {
  it('downloads every photo and video of the span whole, once, and skips them the next time', async () => {
    const config = await loadConfig(join(dir, 'camflow.yaml'));
    pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, baseDir: dir });
    await pipeline.engine.startWorkers();
    const span = { from: new Date(Date.now() - 5 * 3600_000), to: new Date(Date.now() + 60_000) };
    const queued = await queueRecordingDownloads(pipeline, 'trail', span);
    // 3 photos an hour apart and 2 videos half an hour apart, all in the last 5 hours.
    expect(queued.matches).toHaveLength(5);
    const done = await Promise.all(queued.jobs.map((j) => settled(pipeline!.engine, j.id)));
    expect(done.map((j) => j.state)).toEqual(Array(5).fill('completed'));
    for (const job of done) {
      const result = job.result as DownloadResult;
      const [, type, dirNum, mediaNum] = /^trailcam:(\d+)\/(\d+)\/(\d+)$/.exec((job.params as { playback_uri: string }).playback_uri)!;
      expect((await readFile(result.path)).equals(mediaFileBytes(Number(type), Number(dirNum), Number(mediaNum)))).toBe(true);
      expect(basename(result.path)).toMatch(type === '1' ? new RegExp(`_${dirNum}-${mediaNum}\\.mp4$`) : new RegExp(`_${dirNum}-${mediaNum}\\.jpg$`));
    }
    expect((await queueRecordingDownloads(pipeline, 'trail', span)).added).toBe(0);
    const again = await settled(pipeline.engine, (await pipeline.engine.add('download', done[0]!.params)).id);
    expect(again.result).toMatchObject({ skipped: true });
  }, 60_000);

  it('camflow recordings search and download --wait from a real process', async () => {
    const config = join(dir, 'camflow.yaml');
    const search = await runCamflow(['recordings', 'search', '-c', config, '--camera', 'trail', '--last', '2h', '--json']);
    expect(search.code, search.stderr).toBe(0);
    const listed = JSON.parse(search.stdout) as { playback_uri: string }[];
    expect(listed.map((m) => m.playback_uri.split('/')[0])).toEqual(expect.arrayContaining(['trailcam:0', 'trailcam:1']));
    const download = await runCamflow(['recordings', 'download', '-c', config, '--camera', 'trail', '--last', '2h', '--wait', '--json'], { timeoutMs: 60_000 });
    expect(download.code, download.stderr).toBe(0);
    const jobs = JSON.parse(download.stdout.trim().split('\n').at(-1) ?? '[]') as { state: string; result: DownloadResult }[];
    expect(jobs.length).toBe(listed.length);
    expect(jobs.every((j) => j.state === 'completed')).toBe(true);
    expect(download.stdout + download.stderr).not.toContain('password');
  }, 90_000);
});
