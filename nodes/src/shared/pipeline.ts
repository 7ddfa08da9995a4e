/**
 * The processing pipeline inside Node-RED: workers run in the Node-RED process, on the embedded engine
 * (a SQLite file in `<userDir>/camflow/`, media in `<userDir>/camflow/media`), for as long as any camflow
 * camera is deployed. Jobs name cameras by their config node id; `camflow jobs` and `camflow worker`
 * processes can share the file. `camflow: { pipeline: { workers: false } }` in settings.js turns it off;
 * `camflow: { detect: {...} }` is camflow.yaml's `detect:` section (labels, faces, `ollama` for describe).
 */
import { join } from 'node:path';
import { createPipeline, detectConfig, ensureError, pipelineConfig, type Pipeline } from '@camflow/core';
import type { NodeAPI } from '../red.js';
import type { CameraNode } from '../camera/camera.js';

let users = 0;
let running: Promise<Pipeline | undefined> | undefined;

/** Called by each camera config node when it starts: the first starts the pipeline's workers. */
export function acquirePipeline(RED: NodeAPI): void {
  users++;
  if (running !== undefined || RED.settings?.camflow?.pipeline?.workers === false) return;
  const dir = join(RED.settings?.userDir ?? process.cwd(), 'camflow');
  running = (async () => {
    try {
      const detect = detectConfig.safeParse(RED.settings?.camflow?.detect ?? {});
      if (!detect.success) RED.log?.warn?.(`camflow: settings.js camflow.detect is not valid, detection uses its defaults: ${detect.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const pipeline = await createPipeline({
        config: pipelineConfig.parse({ data_dir: dir, media_dir: join(dir, 'media') }),
        detect: detect.success ? detect.data : detectConfig.parse({}),
        cameras: [],
        resolveCamera: (id) => (RED.nodes.getNode(id) as Partial<CameraNode> | null)?.camera?.camera(),
      });
      await pipeline.engine.startWorkers();
      return pipeline;
    } catch (error) {
      RED.log?.warn?.(`camflow: the job pipeline did not start: ${ensureError(error).message}`);
      return undefined;
    }
  })();
}

/** Called by each camera config node when it closes: the last one stops the workers. */
export async function releasePipeline(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users > 0 || running === undefined) return;
  const pipeline = await running;
  running = undefined;
  await pipeline?.close(5000);
}

/** The pipeline the Node-RED process runs, for a node that holds it (acquirePipeline); undefined when off or failed. */
export function runningPipeline(): Promise<Pipeline | undefined> {
  return running ?? Promise.resolve(undefined);
}
