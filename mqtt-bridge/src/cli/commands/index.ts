import type { Command } from '../command.js';
import { bridge } from './bridge.js';
import { cameraInfo, snapshot } from './camera.js';
import { clip } from './clip.js';
import { configCheck, configSchema } from './config.js';
import { connect } from './connect.js';
import { events } from './events.js';
import { detect, facesEnroll, facesList, facesRemove, facesWrong } from './detect.js';
import { overlaySync } from './overlay.js';
import { recordingsDownload, recordingsSearch } from './recordings.js';
import { jobsAdd, jobsCancel, jobsFigures, jobsList, jobsRetry, jobsWatch } from './jobs.js';
import { ringLoginCommand } from './ring.js';
import { trailcamInfo, trailcamMedia, trailcamThumbnail } from './trailcam.js';
import { worker } from './worker.js';

/** Every `camflow` command. A new command is a file in this folder and a line here. */
export const commands: readonly Command[] = [configCheck, configSchema, overlaySync, connect, trailcamInfo, trailcamMedia, trailcamThumbnail, bridge, cameraInfo, snapshot, clip, events, jobsAdd, jobsList, jobsWatch, jobsCancel, jobsRetry, jobsFigures, worker, detect, facesEnroll, facesList, facesRemove, facesWrong, recordingsSearch, recordingsDownload, ringLoginCommand];
