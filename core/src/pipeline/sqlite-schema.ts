/** The sqlite engine's table and the mapping between its rows and Job records. */
import type { Job, JobState } from './types.js';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  camera TEXT,
  params TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  lease_until INTEGER,
  worker TEXT,
  progress REAL NOT NULL DEFAULT 0,
  message TEXT,
  result TEXT,
  error TEXT,
  dedupe_key TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_claim ON jobs (state, type, priority DESC, run_at);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS jobs_dedupe ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
`;

export interface JobRow {
  id: string;
  type: string;
  camera: string | null;
  params: string;
  state: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_until: number | null;
  worker: string | null;
  progress: number;
  message: string | null;
  result: string | null;
  error: string | null;
  dedupe_key: string | null;
  cancel_requested: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A waiting job whose time has not come is reported as delayed. */
export function jobFromRow(row: JobRow, now = Date.now()): Job {
  const state = (row.state === 'waiting' && row.run_at > now ? 'delayed' : row.state) as JobState;
  const job: Job = {
    id: row.id,
    type: row.type,
    params: JSON.parse(row.params) as unknown,
    state,
    progress: row.message === null ? { fraction: row.progress } : { fraction: row.progress, message: row.message },
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    createdAt: new Date(row.created_at),
  };
  if (row.camera !== null) job.camera = row.camera;
  if (row.dedupe_key !== null) job.dedupeKey = row.dedupe_key;
  if (row.result !== null) job.result = JSON.parse(row.result) as unknown;
  if (row.error !== null) job.error = row.error;
  if (row.started_at !== null) job.startedAt = new Date(row.started_at);
  if (row.finished_at !== null) job.finishedAt = new Date(row.finished_at);
  return job;
}
