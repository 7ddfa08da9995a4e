import { ConfigError, type RecordingMatch } from '@camflow/core';
import { mkdir, stat } from 'node:fs/promises';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeSend } from '../red.js';
import { positiveNumber, startNode } from '../shared/define.js';
import { withDefaults, type Migration } from '../shared/version.js';
import { BatchProgress, recordingPath, timeRange } from './plan.js';

export interface DownloadDef extends NodeDef {
  camera: string;
  folder: string;
  hours: string | number;
}

export const DOWNLOAD_VERSION = 1;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const DOWNLOAD_DEFAULTS = { camera: '', folder: '', hours: 12 };
export const downloadMigrations: readonly Migration[] = [withDefaults(DOWNLOAD_DEFAULTS)];

async function existingSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() && info.size > 0 ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/** Searches the camera's recordings in a time range and downloads each to a folder, one message per file. */
export default function register(RED: NodeAPI): void {
  function DownloadNode(this: Node, raw: DownloadDef): void {
    const { config, life } = startNode(RED, this, raw, downloadMigrations, DOWNLOAD_DEFAULTS);
    const hours = positiveNumber(config.hours, 12);

    const showProgress = (progress: BatchProgress): void => {
      const text = RED._('download.status.progress', {
        done: progress.finished,
        total: progress.total,
        percent: progress.percent(),
      });
      this.status({ fill: 'blue', shape: 'dot', text });
    };

    const downloadAll = async (msg: NodeMessage, send: NodeSend, signal: AbortSignal): Promise<void> => {
      const camera = cameraFrom(RED, config.camera, life);
      const folder = typeof msg['folder'] === 'string' && msg['folder'] !== '' ? msg['folder'] : config.folder;
      if (folder === '') throw new ConfigError(RED._('download.errors.noFolder'));
      const range = timeRange(msg['from'], msg['to'], hours);
      const client = camera.hikvision();
      const track = camera.settings.channel * 100 + 1;
      const matches: RecordingMatch[] = await client.searchRecordings({ ...range, track }, { signal });
      await mkdir(folder, { recursive: true });
      const progress = new BatchProgress(matches);
      showProgress(progress);
      let lastPercent = -1;
      for (const [index, match] of matches.entries()) {
        const file = recordingPath(folder, camera.label, match);
        const have = await existingSize(file);
        const bytes =
          have ??
          (
            await client.downloadRecording(match.playbackURI, file, {
              signal,
              onProgress: ({ bytes: got, total }) => {
                progress.current(got, total ?? match.size);
                const percent = progress.percent();
                // Status only when the figure changes: a download reports progress per chunk.
                if (percent !== lastPercent) showProgress(progress);
                lastPercent = percent;
              },
            })
          ).bytes;
        progress.finish(index, bytes);
        showProgress(progress);
        send({
          ...msg,
          payload: file,
          file: { path: file, size: bytes, from: match.startTime, to: match.endTime, track: match.trackId },
          skipped: have !== undefined,
          camera: camera.label,
        });
      }
      this.status({ fill: 'green', shape: 'dot', text: RED._('download.status.finished', { total: matches.length }) });
    };

    life.handleInput(downloadAll);
  }
  RED.nodes.registerType('camflow-download', DownloadNode);
}
