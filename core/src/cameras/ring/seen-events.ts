/**
 * Which Ring dings and motions were already reported, kept on disk (`ring-events-<camera>.json` in the
 * data directory) so each one is reported once, never twice: not when push and the history watchdog
 * both see it, and not again after a restart. The first start records where the history stands
 * without reporting anything (old events are history, not news).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Enough for hours of busy history; older ids are below the watermark anyway. */
const KEEP_IDS = 500;

interface Stored {
  /** Newest event time seen (ISO): anything older is never reported. */
  watermark: string;
  ids: string[];
}

export class SeenEvents {
  private readonly path: string;
  private ids: string[] = [];
  private idSet = new Set<string>();
  private watermark: number | undefined;
  private loaded = false;
  private saving: Promise<void> = Promise.resolve();

  constructor(dataDir: string, camera: string) {
    this.path = join(dataDir, `ring-events-${camera}.json`);
  }

  /** Loads the file once; false when there was none (a first start). */
  async load(): Promise<boolean> {
    if (this.loaded) return this.watermark !== undefined;
    this.loaded = true;
    try {
      const stored = JSON.parse(await readFile(this.path, 'utf8')) as Partial<Stored>;
      const time = Date.parse(stored.watermark ?? '');
      if (!Number.isFinite(time) || !Array.isArray(stored.ids)) return false;
      this.watermark = time;
      this.ids = stored.ids.filter((id): id is string => typeof id === 'string').slice(-KEEP_IDS);
      this.idSet = new Set(this.ids);
      return true;
    } catch {
      return false; // missing or damaged: start from now, as on a first start
    }
  }

  /** True when this event is news: not reported before and not older than the watermark. */
  isNew(id: string, at: Date): boolean {
    if (this.idSet.has(id)) return false;
    return this.watermark === undefined || at.getTime() >= this.watermark;
  }

  /** Records an event as reported (or as history on a first start) and saves in the background. */
  mark(id: string, at: Date): void {
    if (!this.idSet.has(id)) {
      this.idSet.add(id);
      this.ids.push(id);
      if (this.ids.length > KEEP_IDS) this.idSet.delete(this.ids.shift() ?? '');
    }
    if (this.watermark === undefined || at.getTime() > this.watermark) this.watermark = at.getTime();
    this.save();
  }

  /** Sets the watermark without an event (a first start with an empty history). */
  startFrom(at: Date): void {
    if (this.watermark === undefined || at.getTime() > this.watermark) this.watermark = at.getTime();
    this.save();
  }

  /** Resolves when the newest state is on disk. */
  flushed(): Promise<void> {
    return this.saving;
  }

  private save(): void {
    const body: Stored = { watermark: new Date(this.watermark ?? Date.now()).toISOString(), ids: [...this.ids] };
    this.saving = this.saving.then(async () => {
      const temp = `${this.path}.tmp`;
      await mkdir(join(this.path, '..'), { recursive: true });
      await writeFile(temp, `${JSON.stringify(body)}\n`);
      await rename(temp, this.path);
    }).catch(() => undefined); // losing this file only means an event may be reported again after a restart
  }
}
