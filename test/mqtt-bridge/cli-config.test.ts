import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCamflow } from '../helpers/cli.js';

describe('camflow config', () => {
  it('check accepts the example config', async () => {
    const result = await runCamflow(['config', 'check', 'examples/camflow.yaml']);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('examples/camflow.yaml is valid (3 cameras)');
  });

  it('check rejects a broken copy and lists each problem with its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-cli-'));
    const broken = join(dir, 'broken.yaml');
    const text = await readFile(join(repoRoot, 'examples/camflow.yaml'), 'utf8');
    await writeFile(
      broken,
      text
        .replace('port: 80', 'port: 80000')
        .replace('id: back', 'id: Back!')
        .replace('did: LBCS-000000-CCCJJ', 'did: nope')
        .replace('password: ${TRAIL_PASSWORD:-change-me}', 'password: ${TRAIL_PASSWORD}'),
    );
    const result = await runCamflow(['config', 'check', broken], { env: { TRAIL_PASSWORD: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has 3 problems');
    expect(result.stderr).toMatch(/cameras\[0\]\.port \(line \d+\): .*\(got 80000\)/);
    expect(result.stderr).toMatch(/cameras\[1\]\.id \(line \d+\)/);
    expect(result.stderr).toMatch(/cameras\[2\]\.did \(line \d+\)/);

    const unset = await runCamflow(['config', 'check', broken], { env: { TRAIL_PASSWORD: undefined } });
    expect(unset.stderr).toContain('cameras[2].password');
    expect(unset.stderr).toContain('TRAIL_PASSWORD is not set');
  });

  it('check on a missing file exits 1 with the reason', async () => {
    const result = await runCamflow(['config', 'check', 'no-such.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no-such.yaml: file not found');
  });

  it('schema prints a JSON Schema', async () => {
    const result = await runCamflow(['config', 'schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema: string; properties: Record<string, unknown> };
    expect(schema.$schema).toContain('json-schema.org');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['cameras', 'overlay_sync', 'mqtt']));
  });

  it('prints usage and exits 2 on an unknown command or bad arguments', async () => {
    const unknown = await runCamflow(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('camflow config check FILE');
    const extra = await runCamflow(['config', 'check']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('usage: camflow config check FILE');
  });

  it('copies of the example pass too (the file is self-contained)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-cli-'));
    await copyFile(join(repoRoot, 'examples/camflow.yaml'), join(dir, 'camflow.yaml'));
    expect((await runCamflow(['config', 'check', join(dir, 'camflow.yaml')])).code).toBe(0);
  });
});
