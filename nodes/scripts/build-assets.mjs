// Completes dist/ after `tsc -b`: each node folder gets its editor .html, its message catalogs (the
// node's own strings merged with the shared ones, since Node-RED scopes a catalog to one node set), its
// help text (locales/<lang>/<node>.html, where Node-RED looks for translatable help) and the palette
// icons from the repository's top-level icons/ folder. Run by the root `npm run build`.
// Editor blocks that every node repeats verbatim (the camera select row, the name row, palette colour)
// live once in src/shared/editor/NAME.html; a line `<!-- camflow:include NAME -->` in a node's .html is
// replaced by that fragment, indented like the marker, so a change to one of them reaches every node.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(packageDir, 'src');
const distDir = path.join(packageDir, 'dist');
const iconsDir = path.resolve(packageDir, '..', 'icons');
const sharedLocales = path.join(srcDir, 'shared', 'locales');
const editorFragments = path.join(srcDir, 'shared', 'editor');
const includeMarker = /^([ \t]*)<!-- camflow:include ([\w-]+) -->[ \t]*$/gm;

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

async function loadFragments() {
  const fragments = new Map();
  for (const entry of await listDir(editorFragments)) {
    if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
    const text = await readFile(path.join(editorFragments, entry.name), 'utf8');
    fragments.set(entry.name.slice(0, -'.html'.length), text.replace(/\n$/, '').split('\n'));
  }
  return fragments;
}

// An unknown fragment fails the build: a marker left in the page would silently drop that row (or, in
// the registerType script, break the whole editor script).
function expandIncludes(html, file, fragments) {
  const expanded = html.replace(includeMarker, (_marker, indent, name) => {
    const lines = fragments.get(name);
    if (!lines) throw new Error(`build-assets: ${file} includes unknown fragment "${name}" (no src/shared/editor/${name}.html)`);
    return lines.map((line) => (line === '' ? line : indent + line)).join('\n');
  });
  if (expanded.includes('camflow:include')) throw new Error(`build-assets: ${file} has a camflow:include marker that is not alone on its line`);
  return expanded;
}

async function buildNode(name, fragments) {
  const from = path.join(srcDir, name);
  const to = path.join(distDir, name);
  await mkdir(to, { recursive: true });
  for (const entry of await listDir(from)) {
    if (!entry.isFile() || !entry.name.endsWith('.html')) continue;
    const html = await readFile(path.join(from, entry.name), 'utf8');
    await writeFile(path.join(to, entry.name), expandIncludes(html, path.relative(packageDir, path.join(from, entry.name)), fragments));
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
const fragments = await loadFragments();
await Promise.all(names.map((name) => buildNode(name, fragments)));
for (const file of nodeFiles) {
  for (const ext of ['.js', '.html']) {
    const full = path.join(packageDir, file.replace(/\.js$/, ext));
    await readFile(full).catch(() => {
      throw new Error(`build-assets: ${path.relative(packageDir, full)} is missing (did tsc -b nodes run?)`);
    });
  }
}
console.log(`build-assets: ${names.length} nodes completed in ${path.relative(process.cwd(), distDir) || 'dist'}`);
