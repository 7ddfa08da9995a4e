import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configJsonSchema, loadConfig, parseConfig, parseDuration } from '@camflow/core';

const valid = `
cameras:
  - id: front
    name: Front door
    type: hikvision
    host: 192.0.2.10
    username: admin
    password: \${FRONT_PASSWORD}
    overlays:
      - id: 1
        text: hello
  - id: trail
    type: p2p
    did: LBCS-000000-CCCJJ
    password: \${TRAIL_PASSWORD:-fallback}
`;

function configError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(text, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('loads cameras with defaults and substitutes ${ENV} secrets', () => {
    const config = parseConfig(valid, { env: { FRONT_PASSWORD: 'p:a#s s' } });
    const [front, trail] = config.cameras;
    expect(front).toMatchObject({
      id: 'front',
      type: 'hikvision',
      password: 'p:a#s s',
      tls: false,
      channel: 1,
      connections: 4,
      timeout: 5_000,
      auth_backoff: 300_000,
    });
    expect(trail).toMatchObject({ type: 'p2p', password: 'fallback', servers: [], username: 'admin', stagger: 0, lan_grace: 0 });
    expect(config.overlay_sync).toEqual({ interval: 1_000, timeout: 3_000, resync: 300_000 });
  });

  it('names a missing environment variable and where it is used', () => {
    const error = configError(valid);
    expect(error.issues).toEqual([{ path: 'cameras[0].password', message: 'environment variable FRONT_PASSWORD is not set', line: 8 }]);
  });

  it('reports every problem at once with path, line and value, masking secrets', () => {
    const error = configError(`
cameras:
  - id: Front Door
    type: hikvision
    host: 192.0.2.10
    port: 99999
    username: admin
    password: 12345
    tls: { fingerprint256: "nope" }
  - id: front-door
    type: hikvision
    host: h
    username: u
    password: p
    timeout: soon
  - id: front-door
    type: fisheye
overlay_sync:
  interval: 1 second
`);
    const byPath = new Map(error.issues.map((issue) => [issue.path, issue]));
    expect(byPath.get('cameras[0].id')).toMatchObject({ value: '"Front Door"', line: 3 });
    expect(byPath.get('cameras[0].port')).toMatchObject({ value: '99999', line: 6 });
    expect(byPath.get('cameras[0].password')).toMatchObject({ value: '[redacted]', line: 8 });
    expect(byPath.get('cameras[1].timeout')?.message).toContain('duration');
    expect(byPath.get('cameras[2].type')).toBeDefined();
    expect(byPath.get('overlay_sync.interval')).toMatchObject({ value: '"1 second"', line: 19 });
    expect(error.message).not.toContain('12345');
    expect(error.issues.length).toBeGreaterThanOrEqual(6);
  });

  it('rejects duplicate camera and overlay ids and unknown keys', () => {
    const error = configError(`
cameras:
  - { id: a, type: hikvision, host: h, username: u, password: p, overlays: [{ id: 1, text: x }, { id: 1, text: y }] }
  - { id: a, type: hikvision, host: h, username: u, password: p, colour: red }
`);
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toContain('cameras[1].id');
    expect(paths).toContain('cameras[0].overlays[1].id');
    expect(error.issues.some((issue) => issue.message.includes('colour'))).toBe(true);
  });

  it('reserves the id the MQTT bridge uses for its own device', () => {
    const error = configError('cameras:\n  - { id: bridge, type: hikvision, host: h, username: u, password: p }\n');
    expect(error.issues).toEqual([expect.objectContaining({ path: 'cameras[0].id', value: '"bridge"', line: 2 })]);
    expect(error.issues[0]?.message).toContain('reserved');
  });

  it('turns YAML syntax errors into issues with a line', () => {
    const error = configError('cameras:\n  - id: a\n    host: [unclosed\n');
    expect(error.issues[0]?.message).toMatch(/^YAML:/);
    expect(error.issues[0]?.line).toBeGreaterThan(0);
  });

  it('keeps $${...} literal', () => {
    const config = parseConfig(`cameras:\n  - { id: a, type: hikvision, host: h, username: u, password: "$\${NOT_A_VAR}" }\n`, { env: {} });
    const camera = config.cameras[0];
    expect(camera?.type === 'hikvision' ? camera.password : undefined).toBe('${NOT_A_VAR}');
  });

  it('loadConfig names a missing file', async () => {
    await expect(loadConfig('/nonexistent/camflow.yaml')).rejects.toThrow('Cannot read config /nonexistent/camflow.yaml: file not found');
    const dir = await mkdtemp(join(tmpdir(), 'camflow-config-'));
    await writeFile(join(dir, 'empty.yaml'), '');
    await expect(loadConfig(join(dir, 'empty.yaml'))).resolves.toMatchObject({ cameras: [] });
  });

  it('parses durations the way people write them', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('exports a JSON Schema describing the camera entry', () => {
    const schema = JSON.stringify(configJsonSchema());
    expect(schema).toContain('"hikvision"');
    expect(schema).toContain('fingerprint256');
    expect(schema).toContain('"p2p"');
  });

  it('refuses relay: true without directory servers, at its path, and takes every P2P option', () => {
    const p2p = (extra: string) => `cameras:\n  - id: trail\n    type: p2p\n    did: LBCS-000000-CCCJJ\n    password: x\n${extra}`;
    const error = configError(p2p('    relay: true\n'));
    expect(error.message).toMatch(/cameras\[0\]\.relay \(line 6\): relay needs directory servers to relay through: add servers \(host:port\), or leave relay out/);
    const config = parseConfig(
      p2p('    relay: true\n    servers: ["203.0.113.5:32100"]\n    stagger: 150ms\n    lan_grace: 2s\n    allowed_cidrs: [192.168.1.0/24]\n'),
      { env: {} },
    );
    expect(config.cameras[0]).toMatchObject({ relay: true, servers: ['203.0.113.5:32100'], stagger: 150, lan_grace: 2000, allowed_cidrs: ['192.168.1.0/24'] });
    expect(configError(p2p('    allowed_cidrs: [192.168.1.0]\n')).message).toMatch(/expected an IPv4 CIDR/);
  });

  it('describes every P2P field in the JSON schema', () => {
    const schema = JSON.stringify(configJsonSchema());
    for (const text of ['The device id printed on the camera', 'UDP port the camera answers LAN searches on', 'P2P directory servers', 'Allow the relay path', 'Keep media on the LAN']) {
      expect(schema).toContain(text);
    }
  });
});
