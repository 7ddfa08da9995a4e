/**
 * Recordings of a Hikvision camera or NVR as pipeline work: search a span (every page) and queue one
 * `download` job per recording. The dedupe key is the playback URI, so running the same search
 * twice (or every night over overlapping spans) never queues a recording twice.
 */
import { ConfigError } from '../../errors.js';
import type { PipelineServices } from '../../pipeline/services.js';
import type { Job, JobEngine } from '../../pipeline/types.js';
import type { HikvisionCamera } from '../camera.js';
import { searchTrailcamMedia } from '../p2p/recordings.js';
import { searchRingRecordings } from '../ring/recordings.js';
import type { RecordingMatch } from './types.js';

export interface RecordingSpan {
  from: Date;
  to: Date;
  /** Record track, default the camera's main stream (channel * 100 + 1). */
  track?: number;
  signal?: AbortSignal;
}

export interface QueuedRecordings {
  /** Every recording the search found, oldest first. */
  matches: RecordingMatch[];
  /** One job per complete recording (an existing job when it was queued before). */
  jobs: Job[];
  /** Of `jobs`, those this call added. */
  added: number;
  /** Recordings still being written (their end is ahead): not queued, the next search takes them. */
  incomplete: RecordingMatch[];
}

/** The camera from the pipeline's services, which must be a Hikvision one (a ConfigError otherwise). */
export function hikvisionFromServices(services: Pick<PipelineServices, 'camera'>, cameraId: string): HikvisionCamera {
  const camera = services.camera(cameraId);
  if (camera.kind !== 'hikvision') throw new ConfigError(`camera ${cameraId} is a ${camera.kind} camera; recordings are searched on Hikvision cameras, NVRs, Ring and TrailCams`);
  return camera;
}

function checkSpan(cameraId: string, span: RecordingSpan): void {
  if (!(span.from.getTime() < span.to.getTime())) {
    throw new ConfigError(`camera ${cameraId}: the search span must start before it ends (${span.from.toISOString()} .. ${span.to.toISOString()})`);
  }
}

/** Every recording in the span (all pages), oldest first, with real instants (the camera's time_zone applied). */
export async function searchCameraRecordings(services: Pick<PipelineServices, 'camera'>, cameraId: string, span: RecordingSpan): Promise<RecordingMatch[]> {
  checkSpan(cameraId, span);
  const any = services.camera(cameraId);
  if (any.kind === 'ring') return searchRingRecordings(any.client, span);
  if (any.kind === 'p2p') return searchTrailcamMedia(any, span);
  const camera = hikvisionFromServices(services, cameraId);
  const matches = await camera.client.searchRecordings(
    { from: span.from, to: span.to, track: span.track ?? camera.channel * 100 + 1 },
    span.signal === undefined ? {} : { signal: span.signal },
  );
  return matches.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

/** The dedupe key of a recording's download job. */
export function downloadKey(cameraId: string, playbackURI: string): string {
  return `download:${cameraId}:${playbackURI}`;
}

/** Searches the span and queues a `download` job for each complete recording not queued before. */
export async function queueRecordingDownloads(
  pipeline: { engine: JobEngine; services: Pick<PipelineServices, 'camera'> },
  cameraId: string,
  span: RecordingSpan,
): Promise<QueuedRecordings> {
  const matches = await searchCameraRecordings(pipeline.services, cameraId, span);
  const now = Date.now();
  const jobs: Job[] = [];
  const incomplete: RecordingMatch[] = [];
  let added = 0;
  for (const match of matches) {
    span.signal?.throwIfAborted();
    // Still being written: its playback URI (end, size) changes once it is closed, so queue it then.
    if (match.endTime.getTime() > now) {
      incomplete.push(match);
      continue;
    }
    const params = {
      camera: cameraId,
      playback_uri: match.playbackURI,
      start: match.startTime.toISOString(),
      end: match.endTime.toISOString(),
      track: match.trackId,
      ...(match.size === undefined ? {} : { size: match.size }),
    };
    const job = await pipeline.engine.add('download', params, { dedupeKey: downloadKey(cameraId, match.playbackURI) });
    if (job.createdAt.getTime() >= now) added++;
    jobs.push(job);
  }
  return { matches, jobs, added, incomplete };
}
