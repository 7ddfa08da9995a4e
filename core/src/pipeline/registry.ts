/**
 * Job types: a name, a params schema, a result schema and a handler. A new type is one file that
 * calls `defineJobType` and one line adding it to the registry. Params are checked when a job is added
 * (nothing is stored for bad params) and again when it runs (a job written by an older version).
 */
import type { z } from 'zod';
import { CamflowError, type CamflowErrorOptions } from '../errors.js';
import type { JobContext } from './types.js';
import type { PipelineServices } from './services.js';

/** Bad params, an unknown type: refused before anything is stored. Never retried. */
export class JobValidationError extends CamflowError {
  override readonly code: string = 'JOB_INVALID';
  constructor(message: string, options?: CamflowErrorOptions) {
    super(message, options);
  }
}

export interface HandlerContext extends JobContext {
  services: PipelineServices;
}

export interface JobTypeDefinition<S extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  type: string;
  params: S;
  result: R;
  handler: (params: z.output<S>, context: HandlerContext) => Promise<z.input<R>>;
  /** Jobs of this type at once in one worker process; default 2. */
  concurrency?: number;
  /** Jobs of this type at once per camera; default unlimited. A camera serves only a few streams. */
  perCamera?: number;
  /** Attempts in all when the job does not say; default the pipeline's. */
  attempts?: number;
}

// The registry holds definitions of any schema; each is checked against its own schema at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobType = JobTypeDefinition<any, any>;

export function defineJobType<S extends z.ZodType, R extends z.ZodType>(definition: JobTypeDefinition<S, R>): JobTypeDefinition<S, R> {
  return definition;
}

export class JobRegistry {
  readonly #types = new Map<string, AnyJobType>();

  register(definition: AnyJobType): this {
    if (!/^[a-z][a-z0-9-]*$/.test(definition.type)) throw new TypeError(`job type '${definition.type}': use lower-case letters, digits and -`);
    this.#types.set(definition.type, definition);
    return this;
  }

  get(type: string): AnyJobType {
    const definition = this.#types.get(type);
    if (definition === undefined) {
      throw new JobValidationError(`unknown job type '${type}' (known: ${[...this.#types.keys()].sort().join(', ') || 'none'})`);
    }
    return definition;
  }

  has(type: string): boolean {
    return this.#types.has(type);
  }

  types(): string[] {
    return [...this.#types.keys()];
  }

  /** The params as the type's schema outputs them; a JobValidationError naming every bad field. */
  parseParams(type: string, params: unknown): unknown {
    const definition = this.get(type);
    const result = definition.params.safeParse(params);
    if (result.success) return result.data;
    const problems = result.error.issues.map((issue: z.core.$ZodIssue) => `${issue.path.length === 0 ? '(params)' : issue.path.join('.')}: ${issue.message}`);
    throw new JobValidationError(`${type} job: ${problems.join('; ')}`);
  }
}

/** The camera a job is about, for per-camera limits and list filters. */
export function cameraOf(params: unknown): string | undefined {
  const camera = (params as { camera?: unknown } | null)?.camera;
  return typeof camera === 'string' ? camera : undefined;
}
