// Completes dist/ after `tsc -b`: each node folder gets its editor .html, its message catalogs (the
// node's own strings merged with the shared ones, since Node-RED scopes a catalog to one node set), its
// help text (locales/<lang>/<node>.html, where Node-RED looks for translatable help) and the palette
// icons from the repository's top-level icons/ folder. Run by the root `npm run build`.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(packageDir, 'src');
const distDir = path.join(packageDir, 'dist');
const iconsDir = path.resolve(packageDir, '..', 'icons');
const sharedLocales = path.join(srcDir, 'shared', 'locales');

async function readJson(file) {
  return JSON.parse(await readFile(file, 'utf8'));
}

async function listDir(dir) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
}

async function buildNode(name) {
  const from = path.join(srcDir, name);
  const to = path.join(distDir, name);
  await mkdir(to, { recursive: true });
  for (const entry of await listDir(from)) {
    if (entry.isFile() && entry.name.endsWith('.html')) await copyFile(path.join(from, entry.name), path.join(to, entry.name));
  }
  for (const lang of await listDir(path.join(from, 'locales'))) {
    if (!lang.isDirectory()) continue;
    const own = await readJson(path.join(from, 'locales', lang.name, `${name}.json`));
    let shared = {};
    try {
      shared = await readJson(path.join(sharedLocales, lang.name, 'common.json'));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    await mkdir(path.join(to, 'locales', lang.name), { recursive: true });
    await writeFile(path.join(to, 'locales', lang.name, `${name}.json`), `${JSON.stringify({ ...shared, ...own }, null, 2)}\n`);
    const help = path.join(from, 'locales', lang.name, `${name}.html`);
    await copyFile(help, path.join(to, 'locales', lang.name, `${name}.html`)).catch((error) => {
      if (error.code !== 'ENOENT' || lang.name === 'en-US') throw error;
    });
  }
  await mkdir(path.join(to, 'icons'), { recursive: true });
  for (const icon of await listDir(iconsDir)) {
    if (icon.isFile() && icon.name.endsWith('.svg')) await copyFile(path.join(iconsDir, icon.name), path.join(to, 'icons', icon.name));
  }
}

const pkg = await readJson(path.join(packageDir, 'package.json'));
const nodeFiles = Object.values(pkg['node-red'].nodes);
const names = nodeFiles.map((file) => path.basename(path.dirname(file)));
await Promise.all(names.map(buildNode));
for (const file of nodeFiles) {
  for (const ext of ['.js', '.html']) {
    const full = path.join(packageDir, file.replace(/\.js$/, ext));
    await readFile(full).catch(() => {
      throw new Error(`build-assets: ${path.relative(packageDir, full)} is missing (did tsc -b nodes run?)`);
    });
  }
}
console.log(`build-assets: ${names.length} nodes completed in ${path.relative(process.cwd(), distDir) || 'dist'}`);
