/**
 * @vladmandic/human on the tfjs WebAssembly backend, loaded from the package on disk. Runs wherever it
 * is imported: in a worker thread of the CpuPool (the normal case, see worker.ts) or on the main
 * thread (the benchmark's baseline). Four traps are handled here (see docs/detection.md):
 * the default entry wants tfjs-node, so the node-wasm build is loaded by absolute path (its
 * `exports` keys lack `./`); the wasm files and models would come from a CDN, so both paths point at
 * node_modules; tfjs has no file:// loader, so one is registered.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** What we use of a tfjs tensor and of human's API; kept small so no `any` leaks out. */
interface Tensor {
  dispose(): void;
}
interface WeightsManifestGroup {
  paths: string[];
  weights: unknown[];
}
interface TfApi {
  tensor(values: Uint8Array, shape: number[], dtype: 'int32'): Tensor;
  io: {
    registerLoadRouter(router: (url: string | string[]) => { load(): Promise<unknown> } | null): void;
    getModelArtifactsForJSON(json: unknown, loadWeights: (manifest: WeightsManifestGroup[]) => Promise<[unknown[], ArrayBuffer]>): Promise<unknown>;
  };
}
export interface HumanObject {
  label: string;
  score: number;
  /** x, y, width, height in pixels. */
  box: [number, number, number, number];
}
export interface HumanFace {
  score: number;
  box: [number, number, number, number];
  embedding?: number[];
}
interface HumanResult {
  object: HumanObject[];
  face: HumanFace[];
  error?: string | null;
}
interface HumanInstance {
  tf: TfApi;
  load(): Promise<void>;
  detect(input: Tensor, config?: object): Promise<HumanResult>;
}
type HumanClass = new (config: object) => HumanInstance;

/** Model folder of the installed package (also where docs tell users the models live). */
export function humanPaths(): { humanDir: string; modelDir: string; wasmDir: string } {
  const humanDir = resolve(dirname(require.resolve('@vladmandic/human')), '..');
  return {
    humanDir,
    modelDir: join(humanDir, 'models'),
    wasmDir: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`,
  };
}

let routerRegistered = false;

function registerFileRouter(tf: TfApi): void {
  if (routerRegistered) return;
  routerRegistered = true;
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    return {
      async load() {
        const file = decodeURIComponent(new URL(url).pathname);
        const json: unknown = JSON.parse(await readFile(file, 'utf8'));
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const parts = await Promise.all(manifest.flatMap((group) => group.paths.map((p) => readFile(join(dirname(file), p)))));
          const data = Buffer.concat(parts);
          return [manifest.flatMap((group) => group.weights), data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer];
        });
      },
    };
  });
}

export interface RgbImage {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major RGB. */
  data: Uint8Array;
}

export interface DetectWhat {
  objects: boolean;
  faces: boolean;
}

/** One human instance with the object and face models loaded once. */
export class HumanDetector {
  #human: HumanInstance | undefined;
  #loading: Promise<HumanInstance> | undefined;

  /** Loads the models (about 150 ms for objects, more with faces); later calls reuse them. */
  load(): Promise<HumanInstance> {
    this.#loading ??= this.#load();
    return this.#loading;
  }

  async #load(): Promise<HumanInstance> {
    const { humanDir, modelDir, wasmDir } = humanPaths();
    const { Human } = require(join(humanDir, 'dist/human.node-wasm.js')) as { Human: HumanClass };
    const human = new Human({
      backend: 'wasm',
      wasmPath: wasmDir,
      modelBasePath: `${pathToFileURL(modelDir).href}/`,
      debug: false,
      warmup: 'none',
      cacheSensitivity: 0,
      filter: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      object: { enabled: true, modelPath: 'centernet.json', minConfidence: 0.2, maxDetected: 20 },
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 10, minConfidence: 0.3 },
        mesh: { enabled: true },
        iris: { enabled: false },
        description: { enabled: true },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
        attention: { enabled: false },
      },
    });
    registerFileRouter(human.tf);
    await human.load();
    this.#human = human;
    return human;
  }

  /** Objects and/or faces in one RGB image. */
  async detect(image: RgbImage, what: DetectWhat): Promise<{ objects: HumanObject[]; faces: HumanFace[] }> {
    const human = this.#human ?? (await this.load());
    const tensor = human.tf.tensor(image.data, [1, image.height, image.width, 3], 'int32');
    try {
      const result = await human.detect(tensor, { object: { enabled: what.objects }, face: { enabled: what.faces } });
      if (typeof result.error === 'string' && result.error !== '') throw new Error(`human: ${result.error}`);
      return {
        objects: what.objects ? result.object.map((o) => ({ label: o.label, score: o.score, box: o.box })) : [],
        faces: what.faces ? result.face.map((f) => ({ score: f.score, box: f.box, ...(f.embedding === undefined ? {} : { embedding: Array.from(f.embedding) }) })) : [],
      };
    } finally {
      tensor.dispose();
    }
  }
}
