/**
 * A real Node-RED install for end-to-end tests: the nodes package and @camflow/core are packed with
 * `npm pack` and installed into a temporary user dir the way a user's palette install would put them
 * there. Works offline: core's own dependencies are packed from the workspace's node_modules instead
 * of being fetched, so npm never needs the registry.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot } from './cli.js';

const require = createRequire(import.meta.url);

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function npm(args: string[], cwd: string): Promise<string> {
  return run('npm', args, cwd);
}

async function pack(target: string, destination: string): Promise<string> {
  const out = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destination, target], repoRoot);
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[];
  if (info === undefined) throw new Error(`npm pack ${target} printed no file`);
  return path.join(destination, info.filename);
}

/**
 * Where Node would find package `name` from `fromDir`: the nearest node_modules/name upwards. (Not
 * require.resolve of name/package.json: packages whose `exports` leave it out refuse that.)
 */
/** npm pack's file name for a package: `@scope/name` 1.2.3 -> `scope-name-1.2.3.tgz`. */
function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

const PACK_CACHE = path.join(tmpdir(), 'camflow-pack-cache');

/**
 * Tarballs of third-party packages, packed once and kept by name@version (their content is fixed by
 * the version), so the editor and e2e tests do not pack the same few hundred packages each: one
 * `npm pack` for all that are missing, under a lock so a second test file waits and reuses them.
 */
async function packThirdParty(folders: readonly string[]): Promise<string[]> {
  await mkdir(PACK_CACHE, { recursive: true });
  const wanted = await Promise.all(
    folders.map(async (folder) => {
      const pkg = JSON.parse(await readFile(path.join(folder, 'package.json'), 'utf8')) as { name: string; version: string };
      return { folder, file: path.join(PACK_CACHE, tarballName(pkg.name, pkg.version)) };
    }),
  );
  const lock = path.join(PACK_CACHE, 'lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Another test file is packing; a lock older than the deadline is a crashed run's.
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    const missing = wanted.filter((w) => !existsSync(w.file));
    if (missing.length > 0) {
      const staging = await mkdtemp(path.join(PACK_CACHE, 'staging-'));
      try {
        await npm(['pack', '--ignore-scripts', '--pack-destination', staging, ...missing.map((m) => m.folder)], repoRoot);
        for (const m of missing) await rename(path.join(staging, path.basename(m.file)), m.file);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
  return wanted.map((w) => w.file);
}

function installedFolder(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed (looked upwards from ${fromDir})`);
  }
}

/** Runtime dependencies of a package, transitively, as folders in the workspace's node_modules. */
async function dependencyFolders(packageDir: string, seen = new Set<string>()): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const folders: string[] = [];
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (name.startsWith('@camflow/') || seen.has(name)) continue;
    seen.add(name);
    const folder = installedFolder(name, packageDir);
    folders.push(folder, ...(await dependencyFolders(folder, seen)));
  }
  return folders;
}

export interface PackedInstall {
  userDir: string;
  /** The nodes package tarball, for checking what it ships. */
  nodesTarball: string;
  cleanup(): Promise<void>;
}

/** Packs core and the nodes package and installs both into a fresh Node-RED user dir, offline. */
export async function installPackedNodes(): Promise<PackedInstall> {
  const root = await mkdtemp(path.join(tmpdir(), 'camflow-nr-'));
  const tarballs = path.join(root, 'tarballs');
  const userDir = path.join(root, 'user');
  await mkdir(tarballs, { recursive: true });
  await mkdir(userDir, { recursive: true });
  const core = await pack('./core', tarballs);
  const nodesTarball = await pack('./nodes', tarballs);
  const third = await packThirdParty(await dependencyFolders(path.join(repoRoot, 'core')));
  await writeFile(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }));
  await npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev', ...third, core, nodesTarball], userDir);
  return { userDir, nodesTarball, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningNodeRed {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node-red` (the workspace's runtime) on a free loopback port with the given user dir. */
export async function startNodeRed(userDir: string, camflow?: Record<string, unknown>): Promise<RunningNodeRed> {
  const port = await freePort();
  await writeFile(
    path.join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: ${port}, flowFile: 'flows.json', credentialSecret: 'camflow-e2e-secret',${camflow === undefined ? '' : ` camflow: ${JSON.stringify(camflow)},`}
      editorTheme: { tours: false, projects: { enabled: false } }, diagnostics: { enabled: false }, telemetry: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } }, logging: { console: { level: 'info' } } };\n`,
  );
  const redJs = require.resolve('node-red/red.js');
  const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: userDir,
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit');
  const started = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Started flows')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`node-red exited before starting:\n${output}`)));
  });
  await started;
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** Calls the admin API with JSON. */
export async function admin(base: string, route: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<any> {
  const response = await fetch(`${base}${route}`, {
    method: init.method ?? 'GET',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${route}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}
