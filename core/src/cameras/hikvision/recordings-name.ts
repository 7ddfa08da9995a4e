/**
 * File names of downloaded recordings from a template such as
 * `recordings/{camera}/{date}/{start}_{end}.mp4`: relative, under the media folder, never with `:`
 * (Windows and SMB shares refuse it) or `..`. Times are the camera's wall clock (its time_zone).
 */
import { wallClockParts, type TimeZoneSetting } from './recordings-time.js';

export const DEFAULT_RECORDING_NAME = 'recordings/{camera}/{date}/{start}_{end}.mp4';

const PLACEHOLDERS = new Set(['camera', 'date', 'start', 'end', 'track']);

/** Why a template cannot be used, or undefined when it can. */
export function recordingNameProblem(template: string): string | undefined {
  if (template.trim() === '') return 'the recording name template is empty';
  if (template.includes(':')) return "no ':' in recording names (Windows and network shares refuse it)";
  if (template.startsWith('/') || template.startsWith('\\')) return 'the recording name must be relative to media_dir';
  if (template.split(/[/\\]/).some((part) => part === '..' || part === '.')) return "no '.' or '..' folders in the recording name";
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.has(match[1] ?? '')) return `unknown placeholder {${match[1]}} (known: {camera} {date} {start} {end} {track})`;
  }
  if (!/\{start\}/.test(template)) return 'the recording name needs {start} so two recordings never share a file';
  return undefined;
}

export interface RecordingNameFields {
  camera: string;
  start: Date;
  end: Date;
  track: number;
}

/** The relative path for one recording; throws a RangeError for a template recordingNameProblem refuses. */
export function renderRecordingName(template: string, fields: RecordingNameFields, zone: TimeZoneSetting): string {
  const problem = recordingNameProblem(template);
  if (problem !== undefined) throw new RangeError(problem);
  const start = wallClockParts(fields.start, zone);
  const end = wallClockParts(fields.end, zone);
  const values: Record<string, string> = {
    camera: fields.camera,
    date: start.date,
    start: start.time,
    // A recording running past midnight ends on the next day: say so in its name.
    end: end.date === start.date ? end.time : `${end.date}T${end.time}`,
    track: String(fields.track),
  };
  return template.replace(/\{([a-z]+)\}/g, (_all, key: string) => values[key] ?? '');
}
