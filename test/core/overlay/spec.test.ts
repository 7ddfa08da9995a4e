import { describe, expect, it } from 'vitest';
import { type HikvisionCameraConfig, HikvisionClient, overlayCameraSpec, parseConfig } from '@camflow/core';

const config = parseConfig(
  [
    'cameras:',
    '  - { id: gate, name: Gate, type: hikvision, host: 127.0.0.1, port: 8080, username: admin, password: pw, channel: 2,',
    '      connections: 3, auth_backoff: 2m, overlays: [{ id: 1, text: "Gate {{value.t}}" }] }',
    '  - { id: yard, type: hikvision, host: 127.0.0.1, port: 8081, username: admin, password: pw }',
  ].join('\n'),
);
const [gate, yard] = config.cameras as HikvisionCameraConfig[];

describe('overlayCameraSpec', () => {
  it('maps the config keys the overlay engine needs, with a caller-owned target', async () => {
    const client = HikvisionClient.fromConfig(gate!);
    try {
      expect(overlayCameraSpec(gate!, client)).toEqual({
        id: 'gate',
        name: 'Gate',
        channel: 2,
        connections: 3,
        authRetryMs: 120_000,
        overlays: gate!.overlays,
        target: client,
      });
    } finally {
      await client.close();
    }
  });

  it('takes a factory instead (the engine creates and closes the target), and leaves out a missing name', () => {
    const create = (): HikvisionClient => HikvisionClient.fromConfig(yard!);
    const spec = overlayCameraSpec(yard!, create);
    expect(spec.createTarget).toBe(create);
    expect(spec).not.toHaveProperty('target');
    expect(spec).not.toHaveProperty('name');
    expect(spec.overlays).toEqual([]);
  });
});
