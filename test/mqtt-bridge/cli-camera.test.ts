import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { runCamflow } from '../helpers/cli.js';

const sims: HikvisionSimulator[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.stop();
});

async function setup(password = 'password', extra = '') {
  const sim = new HikvisionSimulator({ serialNumber: 'SN-CLI-1' });
  await sim.start();
  sims.push(sim);
  const dir = await mkdtemp(join(tmpdir(), 'camflow-cli-camera-'));
  const config = join(dir, 'camflow.yaml');
  await writeFile(
    config,
    `cameras:\n  - id: front\n    type: hikvision\n    host: 127.0.0.1\n    port: ${sim.port}\n    username: admin\n    password: ${password}\n${extra}`,
  );
  return { sim, dir, config };
}

describe('camflow camera info / snapshot', () => {
  it('prints deviceInfo as JSON', async () => {
    const { config } = await setup();
    const result = await runCamflow(['camera', 'info', '--config', config, '--camera', 'front']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ serialNumber: 'SN-CLI-1', model: 'DS-2CD2143G2-I' });
  });

  it('saves a JPEG snapshot', async () => {
    const { config, dir } = await setup();
    const out = join(dir, 'snap.jpg');
    const result = await runCamflow(['snapshot', '--config', config, '--camera', 'front', '-o', out]);
    expect(result.code).toBe(0);
    const jpeg = await readFile(out);
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
  });

  it('exits non-zero with one line on an auth error, never showing the password', async () => {
    const { config, sim } = await setup('s3cret-wrong');
    const result = await runCamflow(['camera', 'info', '--config', config, '--camera', 'front']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✗ .*rejected the credentials \[AUTH_FAILED\]/);
    expect(result.stderr).not.toContain('s3cret-wrong');
    expect(sim.stats.requests).toBe(2);
  });

  it('exits non-zero on a timeout and on a bad answer', async () => {
    const { config, sim } = await setup('password', '    timeout: 200ms\n');
    sim.setFaults({ latencyMs: 2000 });
    const slow = await runCamflow(['snapshot', '--config', config, '--camera', 'front', '-o', '/dev/null']);
    expect(slow.code).toBe(1);
    expect(slow.stderr).toContain('[TIMEOUT]');
    sim.setFaults({ latencyMs: 0, malformedXml: true });
    const bad = await runCamflow(['camera', 'info', '--config', config, '--camera', 'front']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[PROTOCOL_ERROR]');
  });

  it('names an unknown camera id', async () => {
    const { config } = await setup();
    const result = await runCamflow(['camera', 'info', '--config', config, '--camera', 'back']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no camera 'back'");
  });
});
