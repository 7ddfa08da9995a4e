/** What each package's tarball carries besides code: a README, the licence and where it comes from. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

describe('packed packages', () => {
  for (const dir of ['core', 'nodes', 'mqtt-bridge', 'simulators']) {
    it(`${dir} ships a README, a LICENSE and a repository field`, async () => {
      const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', `./${dir}`], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
      const [info] = JSON.parse(stdout) as { files: { path: string }[] }[];
      const files = (info?.files ?? []).map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
      const pkg = JSON.parse(await readFile(join(repoRoot, dir, 'package.json'), 'utf8')) as { repository?: { directory?: string }; license?: string };
      expect(pkg.repository?.directory).toBe(dir);
      expect(pkg.license).toBe('MIT');
    });
  }
});
