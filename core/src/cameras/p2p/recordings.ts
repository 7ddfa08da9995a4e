/**
 * A TrailCam's photos and videos in the shape `camflow recordings` and the `download` job use for
 * NVR recordings: a search gives RecordingMatch entries whose playback URI is
 * `trailcam:<fileType>/<dirNum>/<mediaNum>` (stable: the dedupe key), and the job fetches the whole
 * file with cmdId 1285 (file-codec.ts). A photo has no length: it starts and ends at its time.
 */
import { ProtocolError } from '../../errors.js';
import type { P2pCamera } from '../camera.js';
import type { RecordingMatch } from '../hikvision/types.js';
import type { FileRef } from './file-codec.js';

export const TRAILCAM_PLAYBACK_PREFIX = 'trailcam:';

/** Connects when needed (a dropped session is raced again). */
export async function connectedTrailcam(camera: P2pCamera, signal?: AbortSignal): Promise<void> {
  if (camera.client.connected) return;
  await camera.client.close();
  await camera.client.connect(signal === undefined ? {} : { signal });
}

/** Photos and videos taken in the span, oldest first. */
export async function searchTrailcamMedia(camera: P2pCamera, span: { from: Date; to: Date; signal?: AbortSignal }): Promise<RecordingMatch[]> {
  await connectedTrailcam(camera, span.signal);
  const items = await camera.client.mediaList(span.signal === undefined ? {} : { signal: span.signal });
  return items
    .filter((item) => item.mediaTime * 1000 >= span.from.getTime() && item.mediaTime * 1000 <= span.to.getTime())
    .map((item) => {
      const start = new Date(item.mediaTime * 1000);
      return {
        trackId: 101,
        startTime: start,
        endTime: new Date(start.getTime() + item.durationMs),
        playbackURI: `${TRAILCAM_PLAYBACK_PREFIX}${item.fileType}/${item.mediaDirNum}/${item.mediaNum}`,
      };
    })
    .sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

export function trailcamFileRef(playbackURI: string): FileRef {
  const match = new RegExp(`^${TRAILCAM_PLAYBACK_PREFIX}(\\d+)/(\\d+)/(\\d+)$`).exec(playbackURI);
  if (match === null) throw new ProtocolError(`not a TrailCam file: ${playbackURI}`);
  return { fileType: Number(match[1]), dirNum: Number(match[2]), mediaNum: Number(match[3]) };
}

/** The file's name from the recording template: `.jpg` for a photo, and its number so two photos in one second never share a name. */
export function trailcamFileName(rendered: string, ref: FileRef): string {
  const base = rendered.replace(/\.[A-Za-z0-9]{2,4}$/, '');
  return `${base}_${ref.dirNum}-${ref.mediaNum}${ref.fileType === 1 ? '.mp4' : '.jpg'}`;
}
