/**
 * Motion by frame differencing on low-resolution gray frames (GrayFrame from a camera's frames()).
 * Pure: a MotionDetector holds only the previous frame. A pixel changed when its gray level moved by
 * more than `sensitivity`; there is motion when the changed share of the unmasked pixels reaches
 * `minArea`. Every second pixel of every second row is compared: at 320x180 that is 14 400 pixels,
 * well under a millisecond, and motion large enough to matter is never thinner than two pixels.
 */
import type { GrayFrame } from '../cameras/camera.js';
import { rasterizeMask, type ZonePoint } from './zones.js';

export interface MotionOptions {
  /** Gray-level change (0..255) that counts, default 25. */
  sensitivity?: number;
  /** Share of the unmasked image (0..1) that must change, default 0.01. */
  minArea?: number;
  /** Ignored areas, polygons 0..1. */
  masks?: readonly (readonly ZonePoint[])[];
}

export interface MotionResult {
  motion: boolean;
  /** Changed share of the compared (unmasked) pixels, 0..1. */
  area: number;
  /** Bounding box of the changed pixels [x, y, w, h] in 0..1, when any changed. */
  box?: [number, number, number, number];
  at: number;
}

const STEP = 2;

export class MotionDetector {
  readonly #sensitivity: number;
  readonly #minArea: number;
  readonly #masks: readonly (readonly ZonePoint[])[];
  #previous: GrayFrame | undefined;
  #mask: Uint8Array | undefined;

  constructor(options: MotionOptions = {}) {
    this.#sensitivity = options.sensitivity ?? 25;
    this.#minArea = options.minArea ?? 0.01;
    this.#masks = options.masks ?? [];
    if (!(this.#sensitivity >= 0 && this.#sensitivity <= 255)) throw new RangeError('sensitivity must be within 0..255');
    if (!(this.#minArea >= 0 && this.#minArea <= 1)) throw new RangeError('minArea must be within 0..1');
  }

  /** Compares with the previous frame; the first frame (or a size change) is never motion. */
  push(frame: GrayFrame): MotionResult {
    const previous = this.#previous;
    this.#previous = frame;
    if (previous === undefined || previous.width !== frame.width || previous.height !== frame.height) {
      this.#mask = rasterizeMask(frame.width, frame.height, this.#masks);
      return { motion: false, area: 0, at: frame.at };
    }
    return compareFrames(previous, frame, this.#sensitivity, this.#minArea, this.#mask);
  }

  reset(): void {
    this.#previous = undefined;
  }
}

export function compareFrames(a: GrayFrame, b: GrayFrame, sensitivity: number, minArea: number, mask?: Uint8Array): MotionResult {
  const { width, height } = b;
  let compared = 0;
  let changed = 0;
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y += STEP) {
    const row = y * width;
    for (let x = 0; x < width; x += STEP) {
      const i = row + x;
      if (mask !== undefined && mask[i] === 1) continue;
      compared++;
      if (Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) > sensitivity) {
        changed++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  const area = compared === 0 ? 0 : changed / compared;
  const result: MotionResult = { motion: changed > 0 && area >= minArea, area, at: b.at };
  if (changed > 0) result.box = [minX / width, minY / height, (maxX - minX + STEP) / width, (maxY - minY + STEP) / height];
  return result;
}

/** Motion events from a frame stream: yields when motion starts (and once more per `cooldownMs` while it lasts). */
export async function* motionEvents(frames: AsyncIterable<GrayFrame>, options: MotionOptions & { cooldownMs?: number } = {}): AsyncGenerator<MotionResult> {
  const detector = new MotionDetector(options);
  const cooldown = options.cooldownMs ?? 10_000;
  let last = -Infinity;
  for await (const frame of frames) {
    const result = detector.push(frame);
    if (result.motion && result.at - last >= cooldown) {
      last = result.at;
      yield result;
    }
  }
}
