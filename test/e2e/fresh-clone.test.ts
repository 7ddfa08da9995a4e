/**
 * What a new user does, in a clone of this repository (not in the developer's tree, where earlier
 * installs and builds can hide a missing step): the README's `npm install` (here `npm ci` from the
 * lockfile, offline from npm's cache), the build `npm test` starts with, then the README's commands.
 * `npx` must find the project's own bins; the registry is never asked (offline).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', ...env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

let dir = '';
let clone = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-clone-'));
  clone = join(dir, 'camflow');
  const cloned = await run('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone], dir);
  expect(cloned.stderr).toBe('');
  const installed = await run('npm', ['ci', '--prefer-offline'], clone);
  expect(installed.code, installed.stderr).toBe(0);
  const built = await run('npm', ['run', 'build'], clone);
  expect(built.code, built.stderr + built.stdout).toBe(0);
}, 600_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('a fresh clone after the README setup', () => {
  it('links both bins at install time, to files that exist before any build', async () => {
    expect(await readlink(join(clone, 'node_modules/.bin/camflow'))).toBe('../camflow-mqtt-bridge/bin/camflow.js');
    expect(await readlink(join(clone, 'node_modules/.bin/camflow-sim'))).toBe('../@camflow/simulators/bin/camflow-sim.js');
  });

  it('runs `npx camflow --help` and the README config check from the local bin, never the registry', async () => {
    const help = await run('npx', ['camflow', '--help'], clone);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/camflow config check/);
    const check = await run('npx', ['camflow', 'config', 'check', 'examples/camflow.yaml'], clone);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/examples\/camflow\.yaml is valid/);
  });

  it('still has runnable bins after `npm run clean && npm run build`', async () => {
    expect((await run('npm', ['run', 'clean'], clone)).code).toBe(0);
    expect((await run('npm', ['run', 'build'], clone)).code).toBe(0);
    const help = await run('npx', ['camflow', '--help'], clone);
    expect(help.code, help.stderr).toBe(0);
  });

  it('says which Node.js it needs when started on an older one', async () => {
    // process.versions.node as Node 20 reports it, set before the bin runs.
    const preload = join(dir, 'node20.cjs');
    await writeFile(preload, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");
    for (const bin of ['mqtt-bridge/bin/camflow.js', 'simulators/bin/camflow-sim.js']) {
      const old = await run(process.execPath, ['--require', preload, bin, 'camera', 'info'], clone);
      expect(old.code).toBe(1);
      expect(old.stderr).toMatch(/^camflow(-sim)? needs Node\.js 22\.13 or newer; this is Node\.js 20\.20\.2 \(.+\)\.\n$/);
    }
  });
});
