/** Pictures like a camera's: a real-size scene with the current overlay text drawn in, redrawn when it changes. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionClient } from '@camflow/core';
import { HikvisionSimulator, OverlayPicture } from '@camflow/simulators';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function size(jpeg: Buffer): string {
  return execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: jpeg }).toString().trim();
}

describe('simulated camera pictures', () => {
  it('serves a 1280x720 picture with the overlay text drawn in, and a new one when the text changes', async () => {
    const sim = new HikvisionSimulator({ overlayCount: 2 });
    await sim.start();
    cleanups.push(() => sim.stop());
    const picture = new OverlayPicture(sim, { scene: readFileSync(new URL('../../fixtures/detect/empty.jpg', import.meta.url)) });
    await picture.start();
    cleanups.push(() => picture.stop());
    const client = new HikvisionClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' });
    cleanups.push(() => client.close());

    const plain = await client.snapshot(1);
    expect(size(plain)).toBe('1280,720');
    await client.setTextOverlay(1, { id: 1, text: 'Outside 21.5 °C', enabled: true });
    await picture.refresh();
    const withText = await client.snapshot(1);
    expect(size(withText)).toBe('1280,720');
    expect(withText.equals(plain)).toBe(false);
    await client.setTextOverlay(1, { id: 1, text: 'Outside 22.0 °C', enabled: true });
    await picture.refresh();
    expect((await client.snapshot(1)).equals(withText)).toBe(false);
  });
});
