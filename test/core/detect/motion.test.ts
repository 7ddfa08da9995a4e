import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MotionDetector, motionEvents, rasterizeMask, zoneOf, insidePolygon, type GrayFrame } from '@camflow/core';

const run = promisify(execFile);
const W = 160;
const H = 90;

/** Gray frames decoded by ffmpeg from a lavfi scene: a gray background and a white 20x20 box at x(t). */
async function frames(boxX: string, count = 10): Promise<GrayFrame[]> {
  const graph = `color=c=0x606060:s=${W}x${H}:r=5[bg];color=c=white:s=20x20:r=5[box];[bg][box]overlay=x='${boxX}':y=35:shortest=1,format=gray`;
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `nullsrc=s=${W}x${H}:r=5`, '-filter_complex', graph, '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { encoding: 'buffer', maxBuffer: 1 << 24 });
  const size = W * H;
  return Array.from({ length: stdout.length / size }, (_, i) => ({ width: W, height: H, data: stdout.subarray(i * size, (i + 1) * size), at: i * 200 }));
}

async function* stream(list: GrayFrame[]): AsyncGenerator<GrayFrame> {
  yield* list;
}

describe('motion by frame differencing', () => {
  it('finds a moving box and its place, and nothing in a static scene', async () => {
    const moving = await frames('20+t*60');
    const still = await frames('20');
    expect(moving).toHaveLength(10);
    const detector = new MotionDetector({ sensitivity: 25, minArea: 0.01 });
    const results = moving.map((f) => detector.push(f));
    expect(results[0]?.motion).toBe(false); // the first frame has nothing to compare with
    expect(results.slice(1).every((r) => r.motion)).toBe(true);
    const box = results[3]?.box;
    expect(box).toBeDefined();
    // The box is at y 35..55 of 90: the changed area lies in that band.
    expect(box?.[1]).toBeGreaterThan(0.3);
    expect((box?.[1] ?? 0) + (box?.[3] ?? 0)).toBeLessThan(0.7);
    const quiet = new MotionDetector();
    expect(still.map((f) => quiet.push(f)).some((r) => r.motion)).toBe(false);
  });

  it('ignores motion inside a masked zone, and a change too small for min area', async () => {
    const moving = await frames('20+t*60');
    const masked = new MotionDetector({ masks: [[[0, 0.3], [1, 0.3], [1, 0.7], [0, 0.7]]] });
    expect(moving.map((f) => masked.push(f)).some((r) => r.motion)).toBe(false);
    const strict = new MotionDetector({ minArea: 0.2 });
    const results = moving.map((f) => strict.push(f));
    expect(results.some((r) => r.motion)).toBe(false);
    expect(Math.max(...results.map((r) => r.area))).toBeGreaterThan(0);
  });

  it('turns a frame stream into motion events, one per cooldown', async () => {
    const events = [];
    for await (const event of motionEvents(stream(await frames('20+t*60')), { cooldownMs: 1000 })) events.push(event);
    expect(events.map((e) => e.at)).toEqual([200, 1200]);
  });
});

describe('zones', () => {
  const driveway = { name: 'driveway', points: [[0, 0.5], [0.5, 0.5], [0.5, 1], [0, 1]] as [number, number][] };
  it('places a box by its bottom centre', () => {
    expect(zoneOf([0.1, 0.3, 0.2, 0.4], [driveway])).toBe('driveway'); // feet at (0.2, 0.7)
    expect(zoneOf([0.6, 0.3, 0.2, 0.4], [driveway])).toBeNull();
    expect(zoneOf([0.6, 0.3, 0.2, 0.4], [])).toBeUndefined();
  });
  it('rasterizes a mask and tests points in a concave polygon', () => {
    const mask = rasterizeMask(10, 10, [driveway.points]);
    expect(mask?.reduce((a, b) => a + b, 0)).toBe(25);
    const l = [[0, 0], [1, 0], [1, 0.2], [0.2, 0.2], [0.2, 1], [0, 1]] as [number, number][];
    expect(insidePolygon(0.1, 0.9, l)).toBe(true);
    expect(insidePolygon(0.6, 0.6, l)).toBe(false);
  });
});
