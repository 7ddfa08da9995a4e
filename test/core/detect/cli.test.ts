/** `camflow detect` and `camflow faces` as real processes, with a config in a temp folder. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { runCamflow } from '../../helpers/cli.js';

const fixture = (name: string): string => new URL(`../../fixtures/detect/${name}`, import.meta.url).pathname;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

describe('camflow detect and faces', () => {
  it('enrols, lists, names, detects in files and a camera, and removes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-detect-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const sim = new HikvisionSimulator({ snapshot: readFileSync(fixture('people.jpg')) });
    await sim.start();
    cleanup.push(() => sim.stop());
    const config = join(dir, 'camflow.yaml');
    await writeFile(
      config,
      `cameras:\n  - { id: gate, type: hikvision, host: 127.0.0.1, port: ${sim.port}, username: admin, password: password }\n` +
        `detect:\n  threads: 1\n  cameras:\n    gate: { frames: 2, interval: 100ms }\n`,
    );
    const long = { timeoutMs: 60_000 };
    const enrolled = await runCamflow(['faces', 'enroll', 'Vladimir', fixture('face-a-1.jpg'), fixture('face-a-2.jpg'), fixture('face-a-3.jpg'), '--config', config], long);
    expect(enrolled.stderr).toBe('');
    expect(enrolled.stdout).toContain('✓ Vladimir: 3 face sample(s)');
    const listed = await runCamflow(['faces', 'list', '--config', config, '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'Vladimir', samples: 3, negatives: 0 }]);

    const files = await runCamflow(['detect', fixture('face-a-dinner.jpg'), fixture('empty.jpg'), '--config', config], long);
    expect(files.code).toBe(0);
    expect(files.stdout).toMatch(/^file person \d+% box=[\d.,]+ face=Vladimir \(0\.\d+\) -> .*\.jpg$/m);
    expect(files.stdout).toContain(`${fixture('empty.jpg')}: nothing detected`);

    const camera = await runCamflow(['detect', '--camera', 'gate', '--config', config, '--json'], long);
    expect(camera.code).toBe(0);
    const detections = JSON.parse(camera.stdout) as { camera: string; label: string; face?: { name: string } }[];
    expect(detections.find((d) => d.label === 'person')).toMatchObject({ camera: 'gate', face: { name: 'unknown' } });

    expect((await runCamflow(['faces', 'remove', 'Vladimir', '--config', config])).stdout).toContain('✓ removed Vladimir');
    const again = await runCamflow(['faces', 'remove', 'Vladimir', '--config', config]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe("✗ nobody named 'Vladimir' is enrolled");
  }, 180_000);

  it('fails with one line for a picture it cannot read', async () => {
    const missing = await runCamflow(['detect', '/nonexistent/x.jpg']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('cannot read /nonexistent/x.jpg: ENOENT');
  });
});
