export * from './errors.js';
export * from './log.js';
export * from './events.js';
export * from './timers.js';
export * from './config/index.js';
export * from './cameras/hikvision/index.js';
export * from './http/index.js';
export * from './overlay/index.js';
export * from './racer/index.js';
export * from './cameras/p2p/index.js';
export {
  createCamera,
  type Camera,
  type CameraBase,
  type CameraDetails,
  type CameraKind,
  type ClipInfo,
  type ClipRequest,
  type FrameOptions,
  type GrayFrame,
  type HikvisionCamera,
  type P2pCamera,
  type RtspCamera,
  type RingCamera,
} from './cameras/camera.js';
export { type LiveVideo, probeVideoCodec, redactUrl, urlInputArgs, urlLiveVideo } from './cameras/live-video.js';
export { RtspClient } from './cameras/rtsp/camera.js';
export { StreamNotFoundError, UnsupportedCodecError, sourceUrl, clipArgs, snapshotArgs, grayFramesArgs, segmentArgs, streamInputArgs, ffmpegError } from './cameras/rtsp/ffmpeg.js';
export * from './pipeline/index.js';
export * from './detect/index.js';
export * from './cameras/ring/index.js';
