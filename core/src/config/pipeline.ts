import { z } from 'zod';
import { recordingNameProblem } from '../cameras/hikvision/recordings-name.js';
import { duration } from './common.js';

const perType = z.record(z.string(), z.number().int().min(1).max(64));

/** The `pipeline:` section: where jobs live and how many run at once. */
export const pipelineConfig = z.strictObject({
  engine: z
    .enum(['sqlite', 'redis'])
    .default('sqlite')
    .meta({ description: 'sqlite: embedded, one machine, nothing to install. redis: BullMQ over Redis, workers on several machines' }),
  redis: z
    .strictObject({
      url: z
        .string()
        .regex(/^rediss?:\/\/[^\s]+$/, 'expected a Redis URL such as redis://redis.lan:6379')
        .default('redis://127.0.0.1:6379')
        .meta({ description: 'redis://[:password@]host:port[/db]; put the password in ${REDIS_PASSWORD}' }),
      password: z.string().optional(),
      prefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('camflow').meta({ description: 'Key prefix of the queues' }),
    })
    .prefault({}),
  data_dir: z.string().min(1).default('.camflow').meta({ description: 'Job database, face data, tokens (relative to the folder of camflow.yaml)' }),
  media_dir: z.string().min(1).default('media').meta({ description: 'Snapshots, clips and downloads (relative to the folder of camflow.yaml)' }),
  recording_name: z
    .string()
    .default('recordings/{camera}/{date}/{start}_{end}.mp4')
    .refine((t) => recordingNameProblem(t) === undefined, { error: (issue) => recordingNameProblem(String(issue.input)) ?? 'bad template' })
    .meta({ description: 'Where downloaded recordings go under media_dir; placeholders {camera} {date} {start} {end} {track} (times in the camera\'s time_zone)' }),
  workers: z.boolean().default(true).meta({ description: 'Run jobs in this process (bridge, Node-RED); false: only add them' }),
  concurrency: perType.default({}).meta({ description: 'Jobs of a type at once in one process, e.g. {download: 2, detect: 2}' }),
  per_camera: perType.default({}).meta({ description: 'Jobs of a type at once per camera, e.g. {download: 2, record: 1}' }),
  attempts: z.number().int().min(1).max(20).default(3),
  retry_delay: duration('2s').meta({ description: 'First delay before a retry; doubles each time, with jitter' }),
  retention: duration('7d').meta({ description: 'How long finished jobs are kept' }),
  lease: duration('30s').meta({ description: 'A job whose worker stops renewing its lease this long runs again elsewhere' }),
});

export type PipelineConfig = z.output<typeof pipelineConfig>;
