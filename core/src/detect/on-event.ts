/**
 * From a camera's motion to detections: what front-ends run per camera. A motion event from the
 * camera (Hikvision VMD and smart events, Ring motion) or, for cameras that only give frames,
 * motion found by frame differencing, starts one run: a few snapshots over a few seconds, the
 * detector, then one callback per detection. Triggers while a run is under way are part of it.
 */
import type { CameraBase } from '../cameras/camera.js';
import type { CameraEvent } from '../cameras/hikvision/types.js';
import { CamflowError, ensureError } from '../errors.js';
import { sleep } from '../timers.js';
import { motionEvents } from './motion.js';
import type { DetectionService } from './service.js';
import type { Detection, DetectFrame } from './types.js';

/** Camera event types (lower case) that mean "something moved". */
export const MOTION_EVENT_TYPES: ReadonlySet<string> = new Set([
  'vmd', 'motion', 'linedetection', 'fielddetection', 'regionentrance', 'regionexiting', 'pir', 'humandetection', 'vehicledetection', 'ding',
]);

export function isMotionEvent(event: CameraEvent): boolean {
  return event.state === 'active' && MOTION_EVENT_TYPES.has(event.type.toLowerCase());
}

export interface DetectOnEventOptions {
  camera: CameraBase;
  service: DetectionService;
  /** Ends watching; a run under way is aborted. */
  signal: AbortSignal;
  onDetection: (detection: Detection) => void;
  /** After each run, with all its detections (possibly none) and how long it took from the trigger. */
  onRun?: (run: { eventId: string; trigger: string; detections: Detection[]; ms: number }) => void;
  onError?: (error: Error, eventId: string) => void;
  isTrigger?: (event: CameraEvent) => boolean;
}

/** `count` snapshots `intervalMs` apart; failed ones are skipped, none at all is an error. */
export async function takeFrames(camera: CameraBase, count: number, intervalMs: number, signal: AbortSignal): Promise<DetectFrame[]> {
  const frames: DetectFrame[] = [];
  let lastError: unknown;
  for (let i = 0; i < count; i++) {
    if (i > 0 && !(await sleep(intervalMs, signal))) break;
    try {
      frames.push({ jpeg: await camera.snapshot({ signal }), at: new Date() });
    } catch (error) {
      if (signal.aborted) break;
      lastError = error;
    }
  }
  signal.throwIfAborted();
  if (frames.length === 0) throw new CamflowError(`camera ${camera.id}: no snapshot for detection (${ensureError(lastError).message})`, { cause: lastError });
  return frames;
}

/** Resolves when `signal` aborts. Errors of a run go to onError; the watching goes on. */
export async function detectOnEvent(options: DetectOnEventOptions): Promise<void> {
  const { camera, service, signal } = options;
  const config = service.cameraConfig(camera.id);
  const isTrigger = options.isTrigger ?? isMotionEvent;
  let running: Promise<void> | undefined;
  const start = (eventId: string, trigger: string): void => {
    if (running !== undefined) return;
    const triggeredAt = performance.now();
    running = (async () => {
      try {
        const frames = await takeFrames(camera, config.frames, config.interval, signal);
        const detections = await service.detect(camera.id, eventId, frames, signal);
        for (const detection of detections) safely(() => options.onDetection(detection));
        safely(() => options.onRun?.({ eventId, trigger, detections, ms: performance.now() - triggeredAt }));
      } catch (error) {
        if (!signal.aborted) safely(() => options.onError?.(ensureError(error), eventId));
      } finally {
        running = undefined;
      }
    })();
  };
  try {
    if (camera.events !== undefined) {
      for await (const event of camera.events(signal)) {
        if (isTrigger(event)) start(event.id ?? `${camera.id}-${event.type}-${event.time.getTime()}`, event.type);
      }
    } else if (camera.frames !== undefined) {
      const m = config.motion;
      const frames = camera.frames({ width: m.width, height: m.height, fps: m.fps, signal });
      for await (const motion of motionEvents(frames, { sensitivity: m.sensitivity, minArea: m.min_area, masks: m.masks.map((z) => z.points) })) {
        start(`${camera.id}-motion-${motion.at}`, 'motion');
      }
    } else {
      throw new CamflowError(`camera ${camera.id} has neither events nor frames to detect motion on`);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  await running;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // One failing listener never stops the others or the watching.
  }
}
