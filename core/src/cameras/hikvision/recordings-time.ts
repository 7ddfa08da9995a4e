/**
 * The clock an NVR reads search times in. ISAPI writes times as `YYYY-MM-DDTHH:MM:SSZ`, but many
 * NVRs take them (and report recordings) as their own wall-clock time, whatever the `Z` says
 * (isapi.md, unconfirmed per model): a camera's `time_zone` says which. Pure functions, no I/O.
 *
 * A "device clock" Date here is one whose UTC fields are the device's wall clock: formatted with
 * isapiTime() it is exactly what the device expects to read.
 */

/** `local` (the host's zone), `utc`, or an IANA zone such as `Europe/Berlin`. */
export type TimeZoneSetting = string;

/** The IANA zone a setting stands for; a RangeError naming the setting when Intl does not know it. */
export function resolveTimeZone(setting: TimeZoneSetting): string {
  const lower = setting.toLowerCase();
  if (lower === 'utc' || lower === 'z') return 'UTC';
  if (lower === 'local') return new Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: setting }).resolvedOptions().timeZone;
  } catch {
    throw new RangeError(`unknown time zone '${setting}' (use local, utc or an IANA zone such as Europe/Berlin)`);
  }
}

export function isValidTimeZone(setting: TimeZoneSetting): boolean {
  try {
    resolveTimeZone(setting);
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Wall clock in `zone` minus UTC at `instant`, in ms (Berlin in summer: +7,200,000). */
export function zoneOffsetMs(instant: Date, zone: string): number {
  if (zone === 'UTC') return 0;
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts['year'] ?? 1970, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0, parts['second'] ?? 0);
  // Intl has whole seconds only: compare against the instant without its milliseconds.
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The device-clock Date for a real instant: its UTC fields are the wall clock in `zone`. */
export function toDeviceClock(instant: Date, setting: TimeZoneSetting): Date {
  const zone = resolveTimeZone(setting);
  return new Date(instant.getTime() + zoneOffsetMs(instant, zone));
}

/**
 * The real instant a device-clock Date stands for. In the hour a DST change repeats, the earlier
 * of the two instants; in the hour it skips, the wall time read with the offset before the change.
 */
export function fromDeviceClock(deviceClock: Date, setting: TimeZoneSetting): Date {
  const zone = resolveTimeZone(setting);
  const wall = deviceClock.getTime();
  // The zone's offsets around that wall time (DST changes are more than 12 h apart): each gives a
  // candidate instant; keep those that read back as the wall time, the earliest first.
  const before = zoneOffsetMs(new Date(wall - 43_200_000), zone);
  const offsets = [before, zoneOffsetMs(new Date(wall), zone), zoneOffsetMs(new Date(wall + 43_200_000), zone)];
  const valid = offsets.map((o) => wall - o).filter((t) => t + zoneOffsetMs(new Date(t), zone) === wall);
  // None in the hour a DST change skips: read it with the offset before the change.
  return new Date(valid.length === 0 ? wall - before : Math.min(...valid));
}

/** Calendar fields of an instant in a zone, for file names (`2024-05-01`, `11-50-00`). */
export function wallClockParts(instant: Date, setting: TimeZoneSetting): { date: string; time: string } {
  const iso = toDeviceClock(instant, setting).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19).replace(/:/g, '-') };
}
