import { ConfigError, type DownloadResult, type RecordingMatch, searchCameraRecordings } from '@camflow/core';
import { mkdir, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeSend } from '../red.js';
import { positiveNumber, startNode } from '../shared/define.js';
import { settled } from '../shared/jobs.js';
import { runningPipeline } from '../shared/pipeline.js';
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

/**
 * Searches the camera's recordings in a time range and downloads each to a folder, one message per
 * file. With the pipeline running (the default), each file is a `download` job: a redeploy or a crash
 * in the middle leaves the rest queued and their `.part` files resumed, `camflow jobs list` shows
 * them, and two cameras' downloads do not wait for each other. Without it, the node downloads itself.
 */
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
      const pipeline = await runningPipeline();
      if (pipeline !== undefined) {
        await mkdir(folder, { recursive: true });
        const matches = (await searchCameraRecordings(pipeline.services, config.camera, { ...range, signal })).filter((m) => m.endTime.getTime() <= Date.now());
        const progress = new BatchProgress(matches);
        showProgress(progress);
        // All queued at once (the pipeline runs two per camera); messages go out in recording order.
        const jobs = await Promise.all(
          matches.map((match) => {
            const path = resolvePath(recordingPath(folder, camera.label, match));
            const params = { camera: config.camera, playback_uri: match.playbackURI, start: match.startTime.toISOString(), end: match.endTime.toISOString(), track: match.trackId, path, ...(match.size === undefined ? {} : { size: match.size }) };
            // No dedupe key: each message is a request of its own, and the job itself skips a file already whole on disk.
            return pipeline.engine.add('download', params);
          }),
        );
        for (const [index, job] of jobs.entries()) {
          const match = matches[index] as RecordingMatch;
          const done = await settled(pipeline.engine, job.id, signal, (running) => {
            progress.current(running.progress.fraction * (match.size ?? 1), match.size ?? 1);
            showProgress(progress);
          });
          if (done === undefined) return; // closing: the jobs go on in the pipeline
          if (done.state !== 'completed') throw new Error(`camera ${camera.label}: download of ${match.startTime.toISOString()} ${done.state}: ${done.error ?? 'no reason given'}`);
          const result = done.result as DownloadResult;
          progress.finish(index, result.bytes);
          showProgress(progress);
          send({
            ...msg,
            payload: result.path,
            file: { path: result.path, size: result.bytes, from: match.startTime, to: match.endTime, track: match.trackId },
            skipped: result.skipped === true,
            camera: camera.label,
          });
        }
        this.status({ fill: 'green', shape: 'dot', text: RED._('download.status.finished', { total: matches.length }) });
        return;
      }
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
