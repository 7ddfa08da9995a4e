/**
 * Search times in the camera's clock: many NVRs read ISAPI's `Z` times as their own wall clock
 * (isapi.md), so a camera's time_zone says which clock to write them in and read results back in.
 */
import { describe, expect, it, afterEach } from 'vitest';
import { fromDeviceClock, isValidTimeZone, recordingNameProblem, renderRecordingName, resolveTimeZone, toDeviceClock, parseConfig } from '@camflow/core';
import { simulatedHikvision } from '../../helpers/hikvision.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const at = (iso: string): Date => new Date(iso);

describe('device clock conversion', () => {
  it('utc leaves times alone', () => {
    expect(toDeviceClock(at('2024-05-01T10:00:00Z'), 'utc').toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(fromDeviceClock(at('2024-05-01T10:00:00Z'), 'UTC').toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('an IANA zone: summer and winter offsets, both ways', () => {
    expect(toDeviceClock(at('2024-05-01T10:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(toDeviceClock(at('2024-01-15T10:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2024-01-15T11:00:00.000Z');
    expect(toDeviceClock(at('2024-05-01T10:00:00Z'), 'America/New_York').toISOString()).toBe('2024-05-01T06:00:00.000Z');
    expect(fromDeviceClock(at('2024-05-01T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(fromDeviceClock(at('2024-01-15T11:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2024-01-15T10:00:00.000Z');
    // A date line zone, with milliseconds kept.
    expect(toDeviceClock(at('2024-05-01T20:30:00.250Z'), 'Pacific/Auckland').toISOString()).toBe('2024-05-02T08:30:00.250Z');
  });

  it('round trips every hour across both DST changes', () => {
    for (let t = Date.parse('2024-03-30T00:00:00Z'); t < Date.parse('2024-11-01T00:00:00Z'); t += 3_600_000 * 7) {
      expect(fromDeviceClock(toDeviceClock(new Date(t), 'Europe/Berlin'), 'Europe/Berlin').getTime()).toBe(t);
    }
    // 02:30 on 2024-10-27 happens twice in Berlin: the earlier (summer time) instant.
    expect(fromDeviceClock(at('2024-10-27T02:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2024-10-27T00:30:00.000Z');
  });

  it('local is the host zone; unknown zones are refused with their name', () => {
    expect(resolveTimeZone('local')).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(() => resolveTimeZone('Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });

  it('the camera config takes time_zone and refuses a zone Intl does not know', () => {
    const base = { id: 'nvr', type: 'hikvision', host: '10.0.0.5', username: 'admin', password: 'x' };
    const ok = parseConfig(JSON.stringify({ cameras: [{ ...base, time_zone: 'Europe/Berlin' }] }));
    expect(ok.cameras[0]).toMatchObject({ time_zone: 'Europe/Berlin' });
    expect(() => parseConfig(JSON.stringify({ cameras: [{ ...base, time_zone: 'Berlin' }] }))).toThrow(/time_zone/);
  });
});

describe('recording names', () => {
  it('renders the template in the camera clock, with no ":"', () => {
    const fields = { camera: 'nvr', start: at('2024-05-01T21:50:00Z'), end: at('2024-05-01T22:00:00Z'), track: 101 };
    expect(renderRecordingName('recordings/{camera}/{date}/{start}_{end}.mp4', fields, 'utc')).toBe('recordings/nvr/2024-05-01/21-50-00_22-00-00.mp4');
    // In Berlin the recording runs past midnight: the end says which day.
    expect(renderRecordingName('{camera}/{date}/{start}_{end}_{track}.mp4', fields, 'Europe/Berlin')).toBe('nvr/2024-05-01/23-50-00_2024-05-02T00-00-00_101.mp4');
  });

  it('refuses templates that would escape the media folder, clash or carry ":"', () => {
    expect(recordingNameProblem('recordings/{camera}/{date}/{start}_{end}.mp4')).toBeUndefined();
    expect(recordingNameProblem('{camera}:{start}.mp4')).toMatch(/':'/);
    expect(recordingNameProblem('../{start}.mp4')).toMatch(/\.\./);
    expect(recordingNameProblem('/abs/{start}.mp4')).toMatch(/relative/);
    expect(recordingNameProblem('{camera}/{when}.mp4')).toMatch(/\{when\}/);
    expect(recordingNameProblem('{camera}/{date}.mp4')).toMatch(/\{start\}/);
    expect(() => parseConfig(JSON.stringify({ pipeline: { recording_name: '{camera}/{date}.mp4' } }))).toThrow(/start/);
  });
});

describe('search in the device clock (simulated NVR that reads times as its wall clock)', () => {
  it('writes the span in Berlin time and reads the matches back as real instants', async () => {
    // The simulator stores and compares times as they are written: a wall-clock NVR.
    const { client, sim } = await simulatedHikvision(cleanup, { recordingCount: 60 }, { timeZone: 'Europe/Berlin' });
    const matches = await client.searchRecordings({ from: at('2024-05-01T09:00:00Z'), to: at('2024-05-01T10:00:00Z') });
    // 11:00-12:00 on the NVR's clock: its last six recordings, which are 09:00-10:00 UTC.
    expect(matches.map((m) => m.startTime.toISOString())).toEqual(
      ['09:00', '09:10', '09:20', '09:30', '09:40', '09:50'].map((t) => `2024-05-01T${t}:00.000Z`),
    );
    expect(matches.at(-1)!.endTime.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    // The playback URI is passed on as the device wrote it (its own clock).
    expect(matches.at(-1)!.playbackURI).toContain('endtime=2024-05-01T12:00:00Z');
    expect(sim.stats.requests).toBeGreaterThan(0);
  });
});
