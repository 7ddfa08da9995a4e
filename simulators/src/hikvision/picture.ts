/**
 * Pictures that look like a camera's: a scene at a real size (1280x720 by default) with the camera's
 * current overlay texts drawn where the camera has them, as a real Hikvision burns its OSD into the
 * video. Rendered with ffmpeg's drawtext when the texts or the scene change, never per request, so a
 * snapshot is served as fast as before. Without ffmpeg or the font, the simulator keeps its test pattern.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HikvisionSimulator } from './simulator.js';

/** Debian's fonts-dejavu-core (scripts/setup-system.sh installs it). */
export const DEFAULT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
/** Hikvision overlay positions are on a 704x576 grid whatever the stream's resolution. */
const GRID = { width: 704, height: 576 };
const CHECK_MS = 500;

export interface OverlayPictureOptions {
  /** The scene (a JPEG of any size; scaled and cropped to fill the picture). */
  scene: Buffer;
  width?: number;
  height?: number;
  /** Video channel whose overlays are drawn, default 1. */
  channel?: number;
  ffmpeg?: string;
  font?: string;
  /** Told once if a picture cannot be made (no ffmpeg, no font): the test pattern stays. */
  onError?: (error: Error) => void;
}

export class OverlayPicture {
  readonly #sim: HikvisionSimulator;
  readonly #o: Required<Omit<OverlayPictureOptions, 'onError'>> & Pick<OverlayPictureOptions, 'onError'>;
  #scene: Buffer;
  #sceneVersion = 0;
  #drawn: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #dir: string | undefined;
  #rendering: Promise<void> | undefined;
  #failed = false;

  constructor(sim: HikvisionSimulator, options: OverlayPictureOptions) {
    this.#sim = sim;
    this.#scene = options.scene;
    this.#o = { width: 1280, height: 720, channel: 1, ffmpeg: 'ffmpeg', font: DEFAULT_FONT, ...options };
  }

  /** Renders now (resolves when the first picture is served), then follows overlay changes. */
  async start(): Promise<void> {
    this.#dir ??= await mkdtemp(join(tmpdir(), 'camflow-sim-picture-'));
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), CHECK_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#rendering;
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /** Another scene (someone walked in): drawn with the same overlays at the next refresh. */
  async setScene(jpeg: Buffer): Promise<void> {
    this.#scene = jpeg;
    this.#sceneVersion++;
    await this.refresh();
  }

  /** Renders if what the camera shows changed since the last picture. */
  async refresh(): Promise<void> {
    if (this.#rendering !== undefined) return this.#rendering;
    const overlays = [1, 2, 3, 4, 5, 6, 7, 8]
      .map((id) => this.#sim.overlay(this.#o.channel, id))
      .filter((o): o is NonNullable<typeof o> => o !== undefined && o.enabled && o.text !== '');
    const key = JSON.stringify([this.#sceneVersion, overlays.map((o) => [o.text, o.positionX, o.positionY])]);
    if (key === this.#drawn || this.#failed || this.#dir === undefined) return;
    this.#rendering = this.#render(overlays, key).finally(() => (this.#rendering = undefined));
    return this.#rendering;
  }

  async #render(overlays: { id: number; text: string; positionX: number; positionY: number }[], key: string): Promise<void> {
    const dir = this.#dir;
    if (dir === undefined) return;
    const { width, height } = this.#o;
    const scene = join(dir, 'scene.jpg');
    await writeFile(scene, this.#scene);
    const size = Math.round(height / 24);
    // Text from files: drawtext's own escaping of ':' '\'' '%' never meets the camera's text.
    const draws: string[] = [];
    for (const o of overlays) {
      const file = join(dir, `overlay-${o.id}.txt`);
      await writeFile(file, o.text);
      const x = Math.round((o.positionX / GRID.width) * width);
      const y = Math.min(height - size - 4, Math.round((o.positionY / GRID.height) * height));
      draws.push(`drawtext=fontfile=${this.#o.font}:textfile=${file}:expansion=none:x=${x}:y=${y}:fontsize=${size}:fontcolor=white:borderw=2:bordercolor=black`);
    }
    const filter = [`scale=${width}:${height}:force_original_aspect_ratio=increase`, `crop=${width}:${height}`, ...draws].join(',');
    try {
      const jpeg = await new Promise<Buffer>((resolve, reject) => {
        execFile(
          this.#o.ffmpeg,
          ['-v', 'error', '-i', scene, '-vf', filter, '-frames:v', '1', '-q:v', '4', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'],
          { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 10_000 },
          (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`ffmpeg: ${stderr.toString().trim() || error.message}`))),
        );
      });
      this.#sim.setSnapshot(jpeg);
      this.#drawn = key;
    } catch (error) {
      this.#failed = true;
      this.#o.onError?.(error as Error);
    }
  }
}
