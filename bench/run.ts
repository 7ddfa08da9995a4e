/**
 * `npm run bench [NAME...]`: runs each benchmark (bench/NAME/main.ts) in its own Node process and
 * passes its JSON line through. Every benchmark measures camflow and a baseline in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${benchDir}/${entry.name}/main.ts`))
  .map((entry) => entry.name)
  .sort();
const names = wanted.length > 0 ? wanted : all;
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    process.stderr.write(`unknown benchmark '${name}' (have: ${all.join(', ')})\n`);
    failed++;
    continue;
  }
  process.stderr.write(`# bench/${name}\n`);
  const result = spawnSync(process.execPath, [`${benchDir}/${name}/main.ts`], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
