/**
 * The platform block of Homebridge's config.json is a camflow config (cameras, pipeline, ...) plus a
 * few keys only the plugin reads. They are split here so core's schema checks the camflow part with
 * exactly the messages `camflow.yaml` gets (strict objects: a typo is named, not ignored).
 */
import { ConfigError, parseConfig, registerSecret, type CamflowConfig } from '@camflow/core';

export interface StreamOption {
  /** RTSP (or any ffmpeg input) URL of the camera's H.264 stream; unset: the camera's own live video. */
  url?: string;
  /** `copy` passes H.264 through; `transcode` re-encodes with libx264. Default: copy when the stream is H.264, else transcode. */
  video?: 'copy' | 'transcode';
}

export interface PluginOptions {
  /** Seconds between snapshot refreshes (the cache HomeKit's requests are answered from). */
  snapshotInterval: number;
  /** Per camera id: the live stream source, overriding the one derived from the camera config. */
  streams: Record<string, StreamOption>;
  /** Only events of these types/labels set MotionDetected (empty: every motion-like event). */
  motionLabels: string[];
  /** Seconds MotionDetected stays true after the last active event when no inactive event comes. */
  motionTimeout: number;
  /** ffmpeg binary. */
  ffmpeg: string;
  /** Length of the clip the Record switch starts, seconds. */
  recordSeconds: number;
}

/** Keys Homebridge itself puts in a platform block. */
const HOMEBRIDGE_KEYS = new Set(['platform', 'name', '_bridge']);
const PLUGIN_KEYS = new Set(['snapshot_interval', 'streams', 'motion_labels', 'motion_timeout', 'ffmpeg', 'record_seconds']);

export function splitPlatformConfig(block: Record<string, unknown>): { config: CamflowConfig; options: PluginOptions } {
  const camflow: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if (!HOMEBRIDGE_KEYS.has(key) && !PLUGIN_KEYS.has(key)) camflow[key] = value;
  }
  // JSON is YAML: parseConfig gives the same substitution, secret registration and messages.
  const source = `Homebridge platform '${String(block.platform ?? 'Camflow')}'`;
  let config: CamflowConfig;
  try {
    config = parseConfig(JSON.stringify(camflow), { source });
  } catch (error) {
    // Line numbers point into our one-line JSON, not into config.json: leave them out.
    if (!(error instanceof ConfigError) || error.issues.length === 0) throw error;
    const issues = error.issues.map(({ line: _line, ...issue }) => issue);
    throw new ConfigError(`${source} has ${issues.length === 1 ? '1 problem' : `${issues.length} problems`}:`, issues, { cause: error });
  }
  return { config, options: pluginOptions(block) };
}

function pluginOptions(block: Record<string, unknown>): PluginOptions {
  const bad = (key: string, expected: string): never => {
    throw new ConfigError(`Homebridge platform 'Camflow' has 1 problem:`, [{ path: key, message: `expected ${expected}` }]);
  };
  const number = (key: string, fallback: number): number => {
    const value = block[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(value > 0)) return bad(key, 'a positive number of seconds');
    return value;
  };
  const streams: Record<string, StreamOption> = {};
  const rawStreams = block.streams ?? {};
  if (typeof rawStreams !== 'object' || rawStreams === null || Array.isArray(rawStreams)) bad('streams', 'an object of camera id to URL');
  for (const [id, value] of Object.entries(rawStreams as Record<string, unknown>)) {
    if (typeof value === 'string') streams[id] = { url: value };
    else if (typeof value === 'object' && value !== null && ['string', 'undefined'].includes(typeof (value as StreamOption).url)) {
      const { url, video } = value as StreamOption;
      if (video !== undefined && video !== 'copy' && video !== 'transcode') bad(`streams.${id}.video`, "'copy' or 'transcode'");
      if (url === undefined && video === undefined) bad(`streams.${id}`, 'a URL, a video mode, or both');
      streams[id] = { ...(url === undefined ? {} : { url }), ...(video === undefined ? {} : { video }) };
    } else bad(`streams.${id}`, 'a URL or {url, video}');
  }
  // A stream URL's password is redacted from every log line, like the camera passwords.
  for (const { url } of Object.values(streams)) {
    if (url === undefined) continue;
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s/@]*)@/i.exec(url)?.[1];
    if (password !== undefined && password !== '') {
      registerSecret(password);
      registerSecret(safeDecode(password));
    }
  }
  const labels = block.motion_labels ?? [];
  if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) bad('motion_labels', 'a list of strings');
  const ffmpeg = block.ffmpeg ?? 'ffmpeg';
  if (typeof ffmpeg !== 'string') bad('ffmpeg', 'a path');
  return {
    snapshotInterval: number('snapshot_interval', 30),
    motionTimeout: number('motion_timeout', 30),
    recordSeconds: Math.min(3600, Math.round(number('record_seconds', 30))),
    streams,
    motionLabels: labels as string[],
    ffmpeg: ffmpeg as string,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
