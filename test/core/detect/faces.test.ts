/** Face naming rules on made-up embeddings (no model): threshold, margin, size, negatives, the vote. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, FaceStore, voteFaces, type FaceMatch } from '@camflow/core';

const dir = mkdtempSync(join(tmpdir(), 'camflow-faces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const settings = { threshold: 0.65, margin: 0.05, minSize: 48 };
/** A unit vector at `degrees` in the plane of the first two axes: similarity = cos(angle between). */
const at = (degrees: number): number[] => [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180), 0];

describe('face matching', () => {
  it('names the closest person only above the threshold and by a margin over the next', async () => {
    const store = new FaceStore(join(dir, 'a', 'faces.json'));
    await store.enroll('Ann', [at(0)]);
    await store.enroll('Bob', [at(60)]);
    expect(await store.match(at(10), 100, settings)).toMatchObject({ name: 'Ann' }); // cos 10° = 0.98
    expect(await store.match(at(80), 100, settings)).toMatchObject({ name: 'Bob' });
    expect(await store.match(at(30), 100, settings)).toMatchObject({ name: null, reason: 'no-margin' }); // halfway: 0.87 each
    expect(await store.match([0, 0, 1], 100, settings)).toMatchObject({ name: null, reason: 'below-threshold' });
    expect(await store.match(at(10), 20, settings)).toMatchObject({ name: null, reason: 'too-small' });
    expect(cosineSimilarity(at(0), at(60))).toBeCloseTo(0.5, 5);
  });

  it('stops naming a face like one the user marked as a wrong match', async () => {
    const store = new FaceStore(join(dir, 'b', 'faces.json'));
    await store.enroll('Ann', [at(0)]);
    expect(await store.match(at(25), 100, settings)).toMatchObject({ name: 'Ann' });
    await store.markWrong('Ann', at(30));
    expect(await store.match(at(25), 100, settings)).toMatchObject({ name: null, reason: 'negative' });
    expect(await store.match(at(2), 100, settings)).toMatchObject({ name: 'Ann' }); // the real Ann still is
  });

  it('writes the file whole and keeps every change of concurrent enrolments', async () => {
    const file = join(dir, 'c', 'faces.json');
    const store = new FaceStore(file);
    await Promise.all(['Ann', 'Bob', 'Cy', 'Di'].map((name, i) => store.enroll(name, [at(i * 20)])));
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { people: object }).people).sort()).toEqual(['Ann', 'Bob', 'Cy', 'Di']);
    await expect(store.enroll('../etc', [at(0)])).rejects.toThrow(/not a usable name/);
  });
});

describe('the vote over the frames of an event', () => {
  const named = (name: string, similarity = 0.8): FaceMatch => ({ name, similarity });
  const unknown: FaceMatch = { name: null, similarity: 0.5, reason: 'below-threshold' };
  it('gives the name that wins enough of the frames, else unknown', () => {
    expect(voteFaces([named('Ann'), named('Ann', 0.9), unknown], 0.5)).toEqual({ name: 'Ann', similarity: 0.9 });
    expect(voteFaces([named('Ann'), unknown, unknown], 0.5)).toMatchObject({ name: null });
    expect(voteFaces([named('Ann'), named('Bob')], 0.5)).toMatchObject({ name: null }); // a tie names nobody
    expect(voteFaces([], 0.5)).toBeUndefined();
  });
});
