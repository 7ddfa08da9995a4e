/** `camflow recordings search|download` against the simulated NVR (strict digest), as a user runs them. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { runCamflow } from '../helpers/cli.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup() {
  const sim = new HikvisionSimulator({ recordingCount: 5, recordingBytes: 50_000, nvr: true });
  await sim.start();
  cleanup.push(() => sim.stop());
  const dir = await mkdtemp(join(tmpdir(), 'camflow-cli-rec-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'camflow.yaml');
  await writeFile(
    config,
    `cameras:\n  - id: nvr\n    type: hikvision\n    host: 127.0.0.1\n    port: ${sim.port}\n    username: admin\n    password: password\n    time_zone: utc\n` +
      `pipeline:\n  data_dir: data\n  media_dir: media\n`,
  );
  return { sim, dir, config };
}

const SPAN = ['--from', '2024-05-01T11:00Z', '--to', '2024-05-01T12:00Z'];

describe('camflow recordings', () => {
  it('search lists the recordings of the span (JSON)', async () => {
    const { config } = await setup();
    const result = await runCamflow(['recordings', 'search', '--config', config, '--camera', 'nvr', ...SPAN, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const matches = JSON.parse(result.stdout) as { start: string; size: number }[];
    expect(matches.map((m) => m.start)).toEqual(['11:10', '11:20', '11:30', '11:40', '11:50'].map((t) => `2024-05-01T${t}:00.000Z`));
    expect(matches.every((m) => m.size === 50_000)).toBe(true);
  });

  it('download --wait fetches every recording once; a second run finds them all queued before', async () => {
    const { config, dir, sim } = await setup();
    const first = await runCamflow(['recordings', 'download', '--config', config, '--camera', 'nvr', ...SPAN, '--wait']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe('5 downloaded, 0 already on disk, 0 failed (250 kB)');
    expect(first.stderr).toContain('5 recordings on nvr: 5 queued, 0 queued before');
    expect((await readdir(join(dir, 'media/recordings/nvr/2024-05-01'))).sort()).toEqual([
      '11-10-00_11-20-00.mp4', '11-20-00_11-30-00.mp4', '11-30-00_11-40-00.mp4', '11-40-00_11-50-00.mp4', '11-50-00_12-00-00.mp4',
    ]);
    expect(sim.stats.downloads).toBe(5);
    const again = await runCamflow(['recordings', 'download', '--config', config, '--camera', 'nvr', '--last', '100000d', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ matches: 5, added: 0, incomplete: 0 });
    expect(sim.stats.downloads).toBe(5);
  });

  it('bad arguments are one line each (and the usage), before the camera is asked anything', async () => {
    const { config, sim } = await setup();
    const cases: [string[], RegExp][] = [
      [['--camera', 'nvr'], /which span\? --from T --to T, or --last 8h/],
      [['--camera', 'nvr', '--last', 'soon'], /--last expects a duration/],
      [['--camera', 'nvr', '--last', '8h', '--from', '2024-05-01T00:00Z'], /either --last or --from and --to/],
      [['--camera', 'nvr', '--from', 'May 1', '--to', '2024-05-01T12:00Z'], /--from expects an ISO time/],
      [['--camera', 'nvr', '--from', '2024-05-02T00:00Z', '--to', '2024-05-01T00:00Z'], /must be before --to/],
      [['--camera', 'gate', '--last', '8h'], /no camera 'gate' in .* \(known: nvr\)/],
      [['--last', '8h'], /--camera ID is required/],
    ];
    for (const [args, message] of cases) {
      const result = await runCamflow(['recordings', 'download', '--config', config, ...args]);
      expect(result.code, args.join(' ')).not.toBe(0);
      // The reason on one line, then the command's usage (as every usage error).
      const lines = result.stderr.trim().split('\n');
      expect(lines[0], args.join(' ')).toMatch(message);
      expect(lines.slice(1), args.join(' ')).toEqual([expect.stringMatching(/^usage: camflow recordings download /)]);
    }
    expect(sim.stats.requests).toBe(0);
  });

  it('a wrong password is one line naming the camera', async () => {
    const { config, sim } = await setup();
    sim.setPassword('changed');
    const result = await runCamflow(['recordings', 'search', '--config', config, '--camera', 'nvr', '--last', '8h']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/nvr/);
  });
});
