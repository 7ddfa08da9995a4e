/**
 * End to end: the packed package installed into a Node-RED user dir, a real `node-red` process, an
 * example flow deployed through the admin API, and its effect on a simulated Hikvision camera.
 */
import { HikvisionSimulator, TrailCamSimulator } from '@camflow/simulators';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOllama } from '../helpers/fake-ollama.js';
import { admin, installPackedNodes, startNodeRed, type PackedInstall, type RunningNodeRed } from '../helpers/nodered-e2e.js';

const TYPES = ['camflow-camera', 'camflow-overlay', 'camflow-snapshot', 'camflow-events', 'camflow-record', 'camflow-download', 'camflow-connect', 'camflow-detect', 'camflow-job', 'camflow-faces'];
const PASSWORD = 'e2e-Pa55word';

let install: PackedInstall;
let nodeRed: RunningNodeRed;
const camera = new HikvisionSimulator({ username: 'admin', password: PASSWORD });
const trail = new TrailCamSimulator({ did: 'LBCS-000000-CCCJJ', username: 'admin', password: PASSWORD, photos: 3 });
const EXAMPLES = [
  'Overlay from a temperature inject',
  'Snapshot on motion',
  'Record on line crossing',
  "Download last night's clips",
  'Trail camera connect and photo',
  'Notify with a snapshot when a person is seen',
  'Describe motion with a local LLM',
];
const ollama = new FakeOllama({ answer: 'Two people stand at the front door.' });
const people = readFileSync(new URL('../fixtures/detect/people.jpg', import.meta.url));

beforeAll(async () => {
  await camera.start();
  await trail.start();
  await ollama.start();
  install = await installPackedNodes();
  // Describe jobs ask Ollama: camflow's detect settings come from settings.js in Node-RED.
  nodeRed = await startNodeRed(install.userDir, { detect: { ollama: { url: ollama.url, model: 'llava' } } });
}, 180_000);

afterAll(async () => {
  await nodeRed?.stop();
  await camera.stop();
  await trail.stop();
  await ollama.stop();
  await install?.cleanup();
});

/** Reads an example flow shipped in the installed package, as Import > Examples would. */
async function example(name: string): Promise<Record<string, any>[]> {
  const file = path.join(install.userDir, 'node_modules', 'node-red-contrib-camflow', 'examples', `${name}.json`);
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, any>[];
}

/** An example put on a tab and pointed at the simulator, with credentials sent as the editor sends them. */
function forSimulator(flow: Record<string, any>[]): Record<string, any>[] {
  return [
    { id: 'e2e-tab', type: 'tab', label: 'e2e' },
    ...flow.map((node) => {
      if (node['type'] === 'camflow-camera') {
        return { ...node, host: '127.0.0.1', port: String(camera.port), credentials: { username: 'admin', password: PASSWORD } };
      }
      return 'x' in node ? { ...node, z: 'e2e-tab' } : node;
    }),
  ];
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the packed package in a real Node-RED', () => {
  it('serves each node\'s help panel from its locale file, and the editor files carry no help of their own', async () => {
    const response = await fetch(`${nodeRed.url}/nodes`, { headers: { Accept: 'text/html', 'Accept-Language': 'en-US' } });
    const editor = await response.text();
    for (const type of TYPES) {
      expect(editor, type).toContain(`data-help-name="${type}"`);
      const name = type.replace('camflow-', '');
      const file = await readFile(path.join(install.userDir, 'node_modules', 'node-red-contrib-camflow', 'dist', name, `${name}.html`), 'utf8');
      expect(file, type).not.toContain('data-help-name');
    }
  });

  it('loads every camflow node from the installed package without errors', async () => {
    const sets = (await admin(nodeRed.url, '/nodes')) as { module: string; types: string[]; enabled: boolean; err?: string }[];
    const ours = sets.filter((set) => set.module === 'node-red-contrib-camflow');
    expect(ours.flatMap((set) => set.types).sort()).toEqual([...TYPES].sort());
    for (const set of ours) {
      expect(set.err).toBeUndefined();
      expect(set.enabled).toBe(true);
    }
  });

  it('ships runtime, editor html, catalogs, icons and examples, and no sources', async () => {
    const listing = await new Promise<string>((resolve, reject) =>
      execFile('tar', ['-tzf', install.nodesTarball], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    const files = listing.split('\n').filter((line) => line !== '');
    for (const type of TYPES) {
      const name = type.replace('camflow-', '');
      expect(files).toContain(`package/dist/${name}/${name}.js`);
      expect(files).toContain(`package/dist/${name}/${name}.html`);
      expect(files).toContain(`package/dist/${name}/locales/en-US/${name}.json`);
      // Help text lives where Node-RED loads translatable help, not in the editor file.
      expect(files).toContain(`package/dist/${name}/locales/en-US/${name}.html`);
      expect(files).toContain(`package/dist/${name}/icons/${type}.svg`);
    }
    expect(files.filter((file) => file.startsWith('package/examples/') && file.endsWith('.json'))).toHaveLength(EXAMPLES.length);
    expect(files.some((file) => file.startsWith('package/src/') || file.endsWith('.ts') || file.endsWith('.map'))).toBe(false);
  });

  it('offers the example flows under Import > Examples', async () => {
    const modules = JSON.stringify(await admin(nodeRed.url, '/library/examples/flows/'));
    expect(modules).toContain('node-red-contrib-camflow');
    const listing = JSON.stringify(await admin(nodeRed.url, '/library/examples/flows/node-red-contrib-camflow'));
    for (const name of EXAMPLES) expect(listing).toContain(name);
    const served = (await admin(nodeRed.url, `/library/examples/flows/node-red-contrib-camflow/${encodeURIComponent('Snapshot on motion')}`)) as Record<string, any>[];
    expect(served.map((node) => node['type'])).toContain('camflow-snapshot');
  });

  it('deploys the overlay example and the camera shows the text; credentials stay out of the flow', async () => {
    const flow = forSimulator(await example('Overlay from a temperature inject'));
    await admin(nodeRed.url, '/flows', { method: 'POST', body: flow, headers: { 'Node-RED-Deployment-Type': 'full' } });
    const text = await until('the overlay text', () => {
      const overlay = camera.overlay(1, 1);
      return overlay?.text === 'Outside 21.5 °C' ? overlay.text : undefined;
    });
    expect(text).toBe('Outside 21.5 °C');

    const deployed = JSON.stringify(await admin(nodeRed.url, '/flows'));
    expect(deployed).not.toContain(PASSWORD);
    const onDisk = await readFile(path.join(install.userDir, 'flows.json'), 'utf8');
    expect(onDisk).toContain('camflow-camera');
    expect(onDisk).not.toContain(PASSWORD);
    const credentials = await readFile(path.join(install.userDir, 'flows_cred.json'), 'utf8');
    expect(credentials).not.toContain(PASSWORD);
    expect(nodeRed.output()).not.toContain(PASSWORD);
  });

  it('keeps every example on the canvas: comments are short titles (the explanation is their info), no node left of the edge', async () => {
    for (const name of EXAMPLES) {
      for (const node of await example(name)) {
        if (node['type'] === 'comment') {
          expect(String(node['name']).length, name).toBeLessThanOrEqual(45);
          expect(String(node['info'] ?? '').length, name).toBeGreaterThan(0);
        }
        // A node is drawn centred on x: about 4 px per character of its label either side.
        if ('x' in node) expect(node['x'] - 4 * String(node['name'] ?? '').length, `${name}: ${node['type']}`).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('deploys the trail camera example: the connect node races the paths, the snapshot node saves the newest photo', async () => {
    await rm('/tmp/trail.jpg', { force: true });
    const flow = (await example('Trail camera connect and photo')).map((node) => {
      if (node['type'] === 'camflow-camera') {
        return { ...node, host: '127.0.0.1', port: String(trail.sessionPort), credentials: { username: 'admin', password: PASSWORD } };
      }
      return 'x' in node ? { ...node, z: 'e2e-tab' } : node;
    });
    await admin(nodeRed.url, '/flows', { method: 'POST', body: [{ id: 'e2e-tab', type: 'tab', label: 'e2e' }, ...flow], headers: { 'Node-RED-Deployment-Type': 'full' } });
    const size = await until('the newest photo on disk', async () => (await stat('/tmp/trail.jpg').catch(() => undefined))?.size || undefined);
    expect(size).toBeGreaterThan(100);
    const jpeg = await readFile('/tmp/trail.jpg');
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(nodeRed.output()).not.toContain(PASSWORD);
  });

  it('deploys the person example: a motion event on the camera saves the annotated picture of the people', async () => {
    await rm('/tmp/camflow-person.jpg', { force: true });
    camera.setSnapshot(people);
    const flow = forSimulator(await example('Notify with a snapshot when a person is seen'));
    await admin(nodeRed.url, '/flows', { method: 'POST', body: flow, headers: { 'Node-RED-Deployment-Type': 'full' } });
    await camera.waitForAlertStreams(1);
    camera.triggerEvent({ type: 'VMD', state: 'active' });
    const size = await until('the person picture on disk', async () => (await stat('/tmp/camflow-person.jpg').catch(() => undefined))?.size || undefined, 60_000);
    expect(size).toBeGreaterThan(1000);
    expect((await readFile('/tmp/camflow-person.jpg')).subarray(0, 2).toString('hex')).toBe('ffd8');
  }, 90_000);

  it('deploys the describe example: motion -> snapshot job -> describe job -> the description', async () => {
    const flow = forSimulator(await example('Describe motion with a local LLM')).map((node) =>
      // The example's debug node shows the text in the sidebar; the test reads it from the log.
      node['type'] === 'debug' ? { ...node, console: true } : node,
    );
    await admin(nodeRed.url, '/flows', { method: 'POST', body: flow, headers: { 'Node-RED-Deployment-Type': 'full' } });
    await camera.waitForAlertStreams(1);
    camera.triggerEvent({ type: 'VMD', state: 'active' });
    await until('the description in the log', () => (nodeRed.output().includes('Two people stand at the front door.') ? true : undefined), 60_000);
    expect(ollama.requests.some((r) => r.path === '/api/generate')).toBe(true);
  }, 90_000);

  it('a redeploy without the camera closes its connections', async () => {
    await admin(nodeRed.url, '/flows', { method: 'POST', body: [{ id: 'e2e-tab', type: 'tab', label: 'e2e' }], headers: { 'Node-RED-Deployment-Type': 'full' } });
    await until('the camera connections to close', () => (camera.stats.connectionsOpen === 0 ? true : undefined));
    expect(camera.stats.connectionsOpen).toBe(0);
  });
});
