/**
 * Ring recordings in the shape the pipeline's `download` job and `camflow recordings` already use for
 * Hikvision: a search gives RecordingMatch entries whose playback URI is `ring:<ding id>` (stable, so
 * it is the dedupe key), and the job opens the media through a fresh signed URL for each attempt (the
 * URLs Ring lists expire within minutes), resuming with Range as it does on an NVR.
 */
import { request } from 'undici';
import { ConnectionError, ProtocolError, TimeoutError } from '../../errors.js';
import type { RecordingMatch } from '../hikvision/types.js';
import type { RingClient } from './client.js';

export const RING_PLAYBACK_PREFIX = 'ring:';

/** Recordings that started in the span, oldest first, as RecordingMatch (track 101: Ring has one stream). */
export async function searchRingRecordings(client: RingClient, span: { from: Date; to: Date; signal?: AbortSignal }): Promise<RecordingMatch[]> {
  const found = await client.recordings(span, span.signal === undefined ? {} : { signal: span.signal });
  return found.map((r) => ({ trackId: 101, startTime: r.start, endTime: r.end, playbackURI: `${RING_PLAYBACK_PREFIX}${r.id}` }));
}

/** The recording's bytes from Ring's storage; `headers.range` resumes. */
export async function openRingRecording(
  client: RingClient,
  playbackURI: string,
  o: { signal: AbortSignal; headers?: Record<string, string> },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: AsyncIterable<Buffer> }> {
  if (!playbackURI.startsWith(RING_PLAYBACK_PREFIX)) throw new ProtocolError(`not a Ring recording: ${playbackURI}`);
  const id = playbackURI.slice(RING_PLAYBACK_PREFIX.length);
  const url = await client.recordingUrl(id, { signal: o.signal });
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { method: 'GET', signal: o.signal, headers: o.headers ?? {}, headersTimeout: 30_000, bodyTimeout: 30_000 });
  } catch (error) {
    if (o.signal.aborted) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT') throw new TimeoutError(`Ring's storage did not answer for recording ${id}`, { cause: error });
    throw new ConnectionError(`cannot reach Ring's storage for recording ${id}: ${(error as Error).message}`, { cause: error });
  }
  if (response.statusCode !== 200 && response.statusCode !== 206) {
    await response.body.dump();
    throw new ConnectionError(`Ring's storage answered ${response.statusCode} for recording ${id}`);
  }
  return { status: response.statusCode, headers: response.headers, body: response.body as AsyncIterable<Buffer> };
}
