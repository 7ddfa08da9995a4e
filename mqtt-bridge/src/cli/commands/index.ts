import type { Command } from '../command.js';
import { bridge } from './bridge.js';
import { cameraInfo, snapshot } from './camera.js';
import { configCheck, configSchema } from './config.js';
import { connect } from './connect.js';
import { overlaySync } from './overlay.js';
import { jobsAdd, jobsCancel, jobsFigures, jobsList, jobsRetry, jobsWatch } from './jobs.js';
import { ringLoginCommand } from './ring.js';
import { trailcamInfo, trailcamMedia, trailcamThumbnail } from './trailcam.js';
import { worker } from './worker.js';

/** Every `camflow` command. A new command is a file in this folder and a line here. */
export const commands: readonly Command[] = [configCheck, configSchema, overlaySync, connect, trailcamInfo, trailcamMedia, trailcamThumbnail, bridge, cameraInfo, snapshot, jobsAdd, jobsList, jobsWatch, jobsCancel, jobsRetry, jobsFigures, worker, ringLoginCommand];
