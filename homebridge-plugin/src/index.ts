import type { API } from 'homebridge';
import { CamflowPlatform } from './platform.js';
import { PLATFORM_NAME, PLUGIN_NAME } from './names.js';

export { PLATFORM_NAME, PLUGIN_NAME };
export { splitPlatformConfig, type PluginOptions } from './options.js';
export { ffmpegStreamArgs, ffmpegSnapshotArgs, type StreamArgsInput } from './ffmpeg-args.js';

/** Homebridge loads the plugin by calling its default export with the API. */
export default function register(api: API): void {
  api.registerPlatform(PLUGIN_NAME, PLATFORM_NAME, CamflowPlatform);
}
