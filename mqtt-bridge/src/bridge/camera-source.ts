/**
 * What the bridge needs from a camera is core's one camera interface: the features test for the
 * optional capabilities (events, recording, text limit, connection path), so a new camera kind in core
 * reaches Home Assistant without a change here.
 */
import { type Camera, type CameraConfig, createCamera, type Logger } from '@camflow/core';

export type CameraSource = Camera;

export type SourceFactory = (camera: CameraConfig, logger: Logger) => CameraSource;

export const createCameraSource: SourceFactory = (config, logger) => createCamera(config, logger);
