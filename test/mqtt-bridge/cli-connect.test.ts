import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrailCamSimulator, thumbnailJpeg } from '@camflow/simulators';
import { runCamflow } from '../helpers/cli.js';

let camera: TrailCamSimulator;
let dir: string;
let config: string;

beforeAll(async () => {
  camera = new TrailCamSimulator({ photos: 3 });
  await camera.start();
  dir = await mkdtemp(join(tmpdir(), 'camflow-connect-'));
  config = join(dir, 'camflow.yaml');
  await writeFile(
    config,
    [
      'cameras:',
      '  - id: trail',
      '    type: p2p',
      '    did: LBCS-000000-CCCJJ',
      '    host: 127.0.0.1',
      `    lan_port: ${camera.lanPort}`,
      `    ports: [${camera.sessionPort}]`,
      '    username: admin',
      '    password: ${TRAIL_PASSWORD}',
      '    timeout: 2s',
      '  - id: dead',
      '    type: p2p',
      '    did: LBCS-000000-CCCJJ',
      '    host: 127.0.0.1',
      '    lan_port: 9',
      '    ports: [9]',
      '    relay: false',
      '    password: x',
      '    timeout: 300ms',
    ].join('\n'),
  );
});

afterAll(async () => {
  await camera.stop();
  await rm(dir, { recursive: true, force: true });
});

const env = { TRAIL_PASSWORD: 'admin' };

describe('camflow connect / trailcam', () => {
  it('connect prints the winner and every attempt; with --json, stdout is the JSON report only', async () => {
    const human = await runCamflow(['connect', '--config', config, '--camera', 'trail'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split('\n')[0]).toMatch(/^✓ Connected via (lan|direct) in \d+\.\d\ds, local port \d+, target port \d+$/);
    expect(human.stdout).toMatch(new RegExp(`direct:${camera.sessionPort}\\s+(success|cancelled)`));
    const result = await runCamflow(['connect', '--config', config, '--camera', 'trail', '--json'], { env });
    expect(result.stderr).not.toContain('admin');
    expect(result.code).toBe(0);
    // The whole of stdout parses: `camflow connect --json | jq .` works.
    const report = JSON.parse(result.stdout) as { winner: string; attempts: Record<string, { state: string }> };
    expect(Object.keys(report.attempts)).toEqual(expect.arrayContaining(['lan', `direct:${camera.sessionPort}`]));
    expect(report.attempts[report.winner]!.state).toBe('success');
  });

  it('connect exits 1 with the report when nothing answers', async () => {
    const result = await runCamflow(['connect', '--config', config, '--camera', 'dead', '--json'], { env });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { attempts: Record<string, { state: string }> };
    expect(report.attempts['lan']!.state).toBe('cancelled');
  });

  it('trailcam info, media and thumbnail log in and print or save', async () => {
    const info = await runCamflow(['trailcam', 'info', '--config', config, '--camera', 'trail'], { env });
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ modelName: 'KJK230' });
    const media = await runCamflow(['trailcam', 'media', '--config', config, '--camera', 'trail'], { env });
    expect(media.stdout.trim().split('\n')).toHaveLength(3);
    expect(media.stdout).toContain(`100/${camera.photos[0]!.mediaNum}`);
    const out = join(dir, 'thumb.jpg');
    const thumb = await runCamflow(['trailcam', 'thumbnail', '--config', config, '--camera', 'trail', '-o', out], { env });
    expect(thumb.code).toBe(0);
    expect(await readFile(out)).toEqual(thumbnailJpeg(100, camera.photos[0]!.mediaNum));
  });

  it('snapshot saves the newest photo of a P2P camera', async () => {
    const out = join(dir, 'snapshot.jpg');
    const result = await runCamflow(['snapshot', '--config', config, '--camera', 'trail', '-o', out], { env });
    expect(result).toMatchObject({ code: 0 });
    // The camera lists its media newest first, as `trailcam media` shows.
    const jpeg = await readFile(out);
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(jpeg).toEqual(thumbnailJpeg(100, camera.photos[0]!.mediaNum));
  });

  it('snapshot of a dead P2P camera exits 1 with a one-line reason', async () => {
    const result = await runCamflow(['snapshot', '--config', config, '--camera', 'dead', '-o', join(dir, 'none.jpg')], { env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^✗ /);
  });

  it('rejects a camera that is not p2p or missing flags', async () => {
    const result = await runCamflow(['connect', '--config', config], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--camera ID is required');
  });
});
