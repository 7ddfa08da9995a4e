import { describe, expect, it } from 'vitest';
import { type CommandTarget, parseCommand } from 'camflow-mqtt-bridge';

const targets = new Map<string, CommandTarget>([
  ['yard', { accepts: new Set(['snapshot', 'record', 'overlay_text', 'overlay_sync'] as const), overlays: new Map([[1, 10]]) }],
  ['trail', { accepts: new Set(['snapshot'] as const), overlays: new Map() }],
]);
const parse = (topic: string, payload: string | Buffer) => parseCommand('camflow', topic, Buffer.from(payload), targets);

describe('command parsing', () => {
  it('accepts a snapshot press (PRESS, or empty as mosquitto_pub -n sends)', () => {
    expect(parse('camflow/yard/snapshot/press', 'PRESS')).toEqual({ ok: true, command: { kind: 'snapshot', camera: 'yard' } });
    expect(parse('camflow/trail/snapshot/press', '')).toEqual({ ok: true, command: { kind: 'snapshot', camera: 'trail' } });
  });

  it('accepts a record press with the default length or a number of seconds', () => {
    expect(parse('camflow/yard/record/press', 'PRESS')).toEqual({ ok: true, command: { kind: 'record', camera: 'yard', seconds: undefined } });
    expect(parse('camflow/yard/record/press', '15')).toEqual({ ok: true, command: { kind: 'record', camera: 'yard', seconds: 15 } });
    expect(parse('camflow/yard/record/press', '0')).toMatchObject({ ok: false, error: expect.stringContaining('1 to 3600') });
    expect(parse('camflow/yard/record/press', '2.5')).toMatchObject({ ok: false });
    // Deleting a retained record/press delivers an empty message: it must not start a recording.
    expect(parse('camflow/yard/record/press', '')).toMatchObject({ ok: false, error: expect.stringContaining('empty message does not start a recording') });
  });

  it('accepts overlay text within the device limit and refuses longer text', () => {
    expect(parse('camflow/yard/overlay/1/set', 'Hello')).toEqual({
      ok: true,
      command: { kind: 'overlay_text', camera: 'yard', overlay: 1, text: 'Hello' },
    });
    expect(parse('camflow/yard/overlay/1/set', 'Hello world!')).toEqual({ ok: false, error: 'text is 12 characters, overlay 1 takes at most 10' });
    expect(parse('camflow/yard/overlay/9/set', 'x')).toEqual({ ok: false, error: "camera 'yard' has no overlay '9'" });
  });

  it('counts characters, not bytes, against the limit', () => {
    expect(parse('camflow/yard/overlay/1/set', '21.5 °C ☀')).toMatchObject({ ok: true });
  });

  it('accepts ON/OFF for overlay sync and refuses anything else', () => {
    expect(parse('camflow/yard/overlay_sync/set', 'off')).toEqual({ ok: true, command: { kind: 'overlay_sync', camera: 'yard', enabled: false } });
    expect(parse('camflow/yard/overlay_sync/set', 'maybe')).toEqual({ ok: false, error: 'expected ON or OFF, got "maybe"' });
  });

  it('refuses unknown cameras, unknown commands and commands a camera does not support', () => {
    expect(parse('camflow/garage/snapshot/press', '')).toEqual({ ok: false, error: "unknown camera 'garage'" });
    expect(parse('camflow/yard/reboot/press', '')).toEqual({ ok: false, error: "unknown command 'reboot/press'" });
    expect(parse('camflow/trail/record/press', 'PRESS')).toEqual({ ok: false, error: "camera 'trail' does not support record" });
    expect(parse('camflow/bridge/x/set', '')).toMatchObject({ ok: false });
  });

  it('refuses an oversize payload by its byte length, before decoding it', () => {
    const huge = Buffer.alloc(64 * 1024 * 1024, 0x61);
    expect(parse('camflow/yard/overlay/1/set', huge)).toEqual({ ok: false, error: 'payload of 67108864 bytes refused: a command is at most 8192 bytes' });
    expect(parse('camflow/yard/overlay/1/set', Buffer.alloc(8193, 0x61))).toMatchObject({ ok: false, error: expect.stringContaining('8193 bytes refused') });
  });

  it('refuses a payload that is not UTF-8', () => {
    expect(parse('camflow/yard/overlay/1/set', Buffer.from([0xff, 0xfe]))).toEqual({ ok: false, error: 'payload is not valid UTF-8' });
  });
});
