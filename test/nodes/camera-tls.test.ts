/**
 * The camera config node against a camera serving HTTPS with a self-signed certificate (the simulator
 * with an openssl-made certificate): the same choices as camflow.yaml (system CAs, pinned fingerprint,
 * CA file, insecure) in the real Node-RED runtime.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import snapshotNode from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { helper, nextMessage, onTab, withCatch, type FlowNode } from '../helpers/nodered.js';

let dir: string;
let caFile: string;
let fingerprint: string;
let sim: HikvisionSimulator;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'camflow-node-tls-'));
  caFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', caFile]);
  const cert = await readFile(caFile);
  fingerprint = new X509Certificate(cert).fingerprint256;
  sim = new HikvisionSimulator({ tls: { cert, key: await readFile(keyFile) } });
  await sim.start();
});

afterAll(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => helper.unload());

async function snapshotWith(tls: Partial<FlowNode>): Promise<{ payload?: Buffer; error?: string }> {
  const camera: FlowNode = { id: 'cam', type: 'camflow-camera', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), tls: true, version: 2, ...tls };
  const flow = onTab(withCatch([camera, { id: 'snap', type: 'camflow-snapshot', camera: 'cam', version: 1, wires: [['out']] }, { id: 'out', type: 'helper' }]), ['cam']);
  await helper.load([cameraNode, snapshotNode], flow, { cam: { username: 'admin', password: 'password' } });
  const out = nextMessage(helper.getNode('out'));
  const caught = nextMessage(helper.getNode('caught'));
  helper.getNode('snap').receive({ payload: 'go' });
  const msg = await Promise.race([out, caught]);
  if (msg['error'] !== undefined) return { error: String((msg['error'] as { message?: unknown }).message) };
  return { payload: msg['payload'] as Buffer };
}

describe('camflow-camera over HTTPS with a self-signed certificate', () => {
  it('is refused with the system CAs (the default)', async () => {
    const result = await snapshotWith({ verify: 'system' });
    expect(result.error).toMatch(/certificate/i);
  });

  it('works with its SHA-256 fingerprint pinned, and fails with another', async () => {
    expect((await snapshotWith({ verify: 'fingerprint', fingerprint })).payload?.subarray(0, 2).toString('hex')).toBe('ffd8');
    await helper.unload();
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    expect((await snapshotWith({ verify: 'fingerprint', fingerprint: wrong })).error).toMatch(/fingerprint/i);
  });

  it('works with the CA file that signed it, and with checking explicitly off', async () => {
    expect((await snapshotWith({ verify: 'ca', ca: caFile })).payload?.subarray(0, 2).toString('hex')).toBe('ffd8');
    await helper.unload();
    expect((await snapshotWith({ verify: 'insecure' })).payload?.subarray(0, 2).toString('hex')).toBe('ffd8');
  });
});
