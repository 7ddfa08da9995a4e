/**
 * Enrolled people and face matching. A face gets a name only when it is large enough, its best
 * similarity reaches the threshold, it beats the next-best name by a margin, and it is not closer to
 * a "wrong match" example of that name; otherwise it is unknown. The event-level vote (voteFaces)
 * adds the last condition: the name must win over the frames of the event. People live in
 * `<data_dir>/faces.json`, written whole (`.part` then rename) so a crash never leaves half a file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CamflowError, ensureError } from '../errors.js';
import { writeWhole } from '../pipeline/files.js';

export class FaceStoreError extends CamflowError {
  override readonly code: string = 'FACE_STORE';
}

export interface FaceSettings {
  threshold: number;
  margin: number;
  /** Smallest face width in pixels given a name. */
  minSize: number;
}

export interface FaceMatch {
  /** The person, or null: unknown. */
  name: string | null;
  /** Best similarity found (to `name`, or to the nearest person when unknown), cosine 0..1. */
  similarity: number;
  /** Why a face stayed unknown, for logs and tests. */
  reason?: 'no-people' | 'too-small' | 'below-threshold' | 'no-margin' | 'negative';
}

export interface PersonSummary {
  name: string;
  samples: number;
  negatives: number;
  enrolledAt: string;
}

interface Person {
  embeddings: number[][];
  negatives: number[][];
  enrolledAt: string;
}

interface StoreFile {
  version: 1;
  people: Record<string, Person>;
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

const best = (embedding: readonly number[], set: readonly number[][]): number => set.reduce((m, e) => Math.max(m, cosineSimilarity(embedding, e)), 0);

export const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,63}$/u;

export class FaceStore {
  readonly file: string;
  #data: StoreFile | undefined;
  #loading: Promise<StoreFile> | undefined;
  #writing: Promise<void> = Promise.resolve();

  /** No I/O here: the file is read on first use. */
  constructor(file: string) {
    this.file = file;
  }

  #load(): Promise<StoreFile> {
    // One read shared by concurrent first calls, so two enrolments never start from two copies.
    this.#loading ??= this.#read();
    return this.#loading;
  }

  async #read(): Promise<StoreFile> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<StoreFile>;
      if (parsed.version !== 1 || typeof parsed.people !== 'object' || parsed.people === null) throw new Error('not a camflow face file (version 1)');
      this.#data = { version: 1, people: parsed.people };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new FaceStoreError(`cannot read ${this.file}: ${ensureError(error).message}`, { cause: error });
      this.#data = { version: 1, people: {} };
    }
    return this.#data;
  }

  #save(): Promise<void> {
    // One write at a time, each with the state at its turn, so the last write holds every change.
    // A failed write (disk full) is reported to its caller and does not block the writes after it.
    this.#writing = this.#writing.catch(() => undefined).then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await writeWhole(this.file, Buffer.from(JSON.stringify(this.#data)));
    });
    return this.#writing;
  }

  /** Adds face embeddings to a person (created if new). */
  async enroll(name: string, embeddings: readonly number[][]): Promise<PersonSummary> {
    if (name.toLowerCase() === 'unknown') throw new FaceStoreError("'unknown' is what camflow calls a face it does not know: pick another name");
    if (!NAME_PATTERN.test(name)) throw new FaceStoreError(`'${name}' is not a usable name (letters, digits, space . _ ' -; at most 64)`);
    if (embeddings.length === 0) throw new FaceStoreError(`no face to enrol for ${name}`);
    const data = await this.#load();
    const person = (data.people[name] ??= { embeddings: [], negatives: [], enrolledAt: new Date().toISOString() });
    person.embeddings.push(...embeddings.map((e) => [...e]));
    await this.#save();
    return summary(name, person);
  }

  /** "This was not <name>": the face becomes a negative example for that name. */
  async markWrong(name: string, embedding: readonly number[]): Promise<PersonSummary> {
    const data = await this.#load();
    const person = data.people[name];
    if (person === undefined) throw new FaceStoreError(`no enrolled person '${name}'`);
    person.negatives.push([...embedding]);
    await this.#save();
    return summary(name, person);
  }

  async list(): Promise<PersonSummary[]> {
    const data = await this.#load();
    return Object.entries(data.people)
      .map(([name, person]) => summary(name, person))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** False when there was no such person. */
  async remove(name: string): Promise<boolean> {
    const data = await this.#load();
    if (data.people[name] === undefined) return false;
    delete data.people[name];
    await this.#save();
    return true;
  }

  /** The name for one face, or unknown with the reason. */
  async match(embedding: readonly number[], size: number, settings: FaceSettings): Promise<FaceMatch> {
    const data = await this.#load();
    return matchFace(data.people, embedding, size, settings);
  }
}

function summary(name: string, person: Person): PersonSummary {
  return { name, samples: person.embeddings.length, negatives: person.negatives.length, enrolledAt: person.enrolledAt };
}

function matchFace(people: Readonly<Record<string, Person>>, embedding: readonly number[], size: number, settings: FaceSettings): FaceMatch {
  const scored = Object.entries(people)
    .map(([name, person]) => ({ name, similarity: best(embedding, person.embeddings), negative: best(embedding, person.negatives) }))
    .sort((a, b) => b.similarity - a.similarity);
  const [top, next] = scored;
  if (top === undefined) return { name: null, similarity: 0, reason: 'no-people' };
  const unknown = (reason: FaceMatch['reason']): FaceMatch => ({ name: null, similarity: top.similarity, ...(reason === undefined ? {} : { reason }) });
  if (size < settings.minSize) return unknown('too-small');
  if (top.similarity < settings.threshold) return unknown('below-threshold');
  if (next !== undefined && top.similarity - next.similarity < settings.margin) return unknown('no-margin');
  // A face as close to a known wrong match as to the person is the mistake the user reported.
  if (top.negative > 0 && top.similarity - top.negative < settings.margin) return unknown('negative');
  return { name: top.name, similarity: top.similarity };
}

/**
 * The event's verdict from one match per frame that had a face: the name named in at least
 * `minShare` of those frames (and more often than any other name), else unknown with the best
 * similarity seen.
 */
export function voteFaces(matches: readonly FaceMatch[], minShare: number): FaceMatch | undefined {
  if (matches.length === 0) return undefined;
  const votes = new Map<string, { count: number; similarity: number }>();
  for (const m of matches) {
    if (m.name === null) continue;
    const v = votes.get(m.name) ?? { count: 0, similarity: 0 };
    v.count++;
    v.similarity = Math.max(v.similarity, m.similarity);
    votes.set(m.name, v);
  }
  const ranked = [...votes.entries()].sort((a, b) => b[1].count - a[1].count);
  const [first, second] = ranked;
  if (first !== undefined && first[1].count / matches.length >= minShare && (second === undefined || second[1].count < first[1].count)) {
    return { name: first[0], similarity: first[1].similarity };
  }
  return { name: null, similarity: Math.max(...matches.map((m) => m.similarity)), reason: 'no-margin' };
}
