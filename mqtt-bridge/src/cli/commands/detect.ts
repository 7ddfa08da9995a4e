import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, createCamera, detectConfig, DetectionService, FaceStore, loadConfig, takeFrames, type Detection, type DetectFrame, type RunSettings } from '@camflow/core';
import { type CliIo, type Command, JSON_OPTION, UsageError, writeLine } from '../command.js';

/** Detection as the config says (or the defaults, data in ./.camflow and media in ./media without one). */
async function detectionFrom(config: string | undefined, io: CliIo): Promise<{ service: DetectionService; loaded: Awaited<ReturnType<typeof loadConfig>> | undefined }> {
  const loaded = config === undefined ? undefined : await loadConfig(config, { env: io.env });
  const base = config === undefined ? process.cwd() : dirname(config);
  const service = new DetectionService({
    config: loaded?.detect ?? detectConfig.parse({}),
    dataDir: resolve(base, loaded?.pipeline.data_dir ?? '.camflow'),
    mediaDir: resolve(base, loaded?.pipeline.media_dir ?? 'media'),
    logger: io.logger,
  });
  return { service, loaded };
}

async function readImage(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function detectionLine(d: Detection): string {
  const face = d.face === undefined ? '' : ` face=${d.face.name} (${d.face.similarity.toFixed(2)})`;
  const zone = d.zone === undefined ? '' : ` zone=${d.zone}`;
  const box = d.box.map((v) => v.toFixed(2)).join(',');
  return `${d.camera} ${d.label} ${Math.round(d.score * 100)}% box=${box}${zone}${face}${d.snapshot === undefined ? '' : ` -> ${d.snapshot}`}${d.description === undefined ? '' : `\n  ${d.description}`}`;
}

export const detect: Command = {
  path: ['detect'],
  usage: 'detect IMAGE... [--config FILE] [--labels L,L] [--min-score N] [--json] | detect --camera ID --config FILE [--json]',
  summary: 'Detect people, vehicles, animals and known faces in JPEG files or in a camera\'s snapshots',
  options: [
    ['-c, --config FILE', 'camflow.yaml: detect settings, data and media folders (required with --camera; default: defaults, ./.camflow, ./media)'],
    ['--camera ID', "take the camera's detect.frames snapshots detect.interval apart (default 3, 1 s) and detect in them"],
    ['--labels L,L', "labels to report, COCO names or the groups vehicle and animal, or all (default the config's)"],
    ['--min-score N', "smallest score 0..1 reported (default the config's, 0.4)"],
    JSON_OPTION,
  ],
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, camera: { type: 'string' }, labels: { type: 'string' }, 'min-score': { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (values.camera === undefined && positionals.length === 0) throw new UsageError('give JPEG files, or --camera ID with --config FILE');
    if (values.camera !== undefined && positionals.length > 0) throw new UsageError('give either JPEG files or --camera, not both');
    if (values.camera !== undefined && values.config === undefined) throw new UsageError('--camera needs --config FILE');
    const minScore = values['min-score'] === undefined ? undefined : Number(values['min-score']);
    if (minScore !== undefined && !(minScore >= 0 && minScore <= 1)) throw new UsageError(`--min-score takes a number 0..1, got '${values['min-score'] ?? ''}'`);
    const { service, loaded } = await detectionFrom(values.config, io);
    const all: Detection[] = [];
    const report = (detections: Detection[], what: string): void => {
      all.push(...detections);
      if (values.json) return;
      if (detections.length === 0) writeLine(io.stdout, `${what}: nothing detected`);
      for (const d of detections) writeLine(io.stdout, detectionLine(d));
    };
    try {
      const settings = (camera: string): RunSettings => ({
        ...service.settings(camera),
        ...(values.labels === undefined ? {} : { labels: values.labels.split(',').map((l) => l.trim()).filter((l) => l !== '') }),
        ...(minScore === undefined ? {} : { minScore }),
      });
      if (values.camera !== undefined) {
        const id = values.camera;
        const cameraConfig = loaded?.cameras.find((c) => c.id === id);
        if (cameraConfig === undefined) throw new ConfigError(`${values.config ?? ''} has no camera '${id}' (have: ${loaded?.cameras.map((c) => c.id).join(', ') || 'none'})`);
        const camera = createCamera(cameraConfig, io.logger);
        try {
          const c = service.cameraConfig(id);
          const frames = await takeFrames(camera, c.frames, c.interval, io.signal);
          report(await service.detect(id, `cli-${Date.now()}`, frames, io.signal, settings(id)), id);
        } finally {
          await camera.close();
        }
      } else {
        for (const path of positionals) {
          const frame: DetectFrame = { jpeg: await readImage(path), at: new Date() };
          report(await service.detect('file', basename(path), [frame], io.signal, settings('file')), path);
        }
      }
    } finally {
      await service.close();
    }
    if (values.json) writeLine(io.stdout, JSON.stringify(all, null, 2));
    return 0;
  },
};

const facesOptions = { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } } as const;
const FACES_CONFIG = ['-c, --config FILE', 'camflow.yaml whose pipeline.data_dir holds faces.json (default ./.camflow)'] as const;

export const facesEnroll: Command = {
  path: ['faces', 'enroll'],
  usage: 'faces enroll NAME IMAGE... [--config FILE]',
  summary: 'Enrol a person from one or more pictures (the largest face of each)',
  options: [FACES_CONFIG],
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: facesOptions });
    const [name, ...images] = positionals;
    if (name === undefined || images.length === 0) throw new UsageError('give a NAME and at least one picture');
    const { service } = await detectionFrom(values.config, io);
    try {
      const pictures = await Promise.all(images.map(async (path) => ({ name: path, jpeg: await readImage(path) })));
      const person = await service.detector.enroll(name, pictures, io.signal);
      writeLine(io.stdout, `✓ ${person.name}: ${person.samples} face sample(s) in ${service.faces.file}`);
    } finally {
      await service.close();
    }
    return 0;
  },
};

export const facesWrong: Command = {
  path: ['faces', 'wrong'],
  usage: 'faces wrong NAME IMAGE [--config FILE]',
  summary: 'Say a face in IMAGE (a detection snapshot) is not NAME: it becomes a negative example',
  options: [FACES_CONFIG],
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: facesOptions });
    const [name, image, ...rest] = positionals;
    if (name === undefined || image === undefined || rest.length > 0) throw new UsageError('give a NAME and one picture');
    const { service } = await detectionFrom(values.config, io);
    try {
      const person = await service.detector.markWrong(name, await readImage(image), io.signal);
      writeLine(io.stdout, `✓ ${person.name}: ${person.negatives} wrong-match example(s)`);
    } finally {
      await service.close();
    }
    return 0;
  },
};

async function storeFrom(config: string | undefined, io: CliIo): Promise<FaceStore> {
  const loaded = config === undefined ? undefined : await loadConfig(config, { env: io.env });
  const base = config === undefined ? process.cwd() : dirname(config);
  return new FaceStore(resolve(base, loaded?.pipeline.data_dir ?? '.camflow', 'faces.json'));
}

export const facesList: Command = {
  path: ['faces', 'list'],
  usage: 'faces list [--config FILE] [--json]',
  summary: 'List enrolled people',
  options: [FACES_CONFIG, JSON_OPTION],
  async run(args, io) {
    const { values } = parseArgs({ args, allowPositionals: false, options: facesOptions });
    const people = await (await storeFrom(values.config, io)).list();
    if (values.json) writeLine(io.stdout, JSON.stringify(people, null, 2));
    else if (people.length === 0) writeLine(io.stdout, 'nobody enrolled');
    else for (const p of people) writeLine(io.stdout, `${p.name}\t${p.samples} sample(s)\t${p.negatives} wrong match(es)\tsince ${p.enrolledAt}`);
    return 0;
  },
};

export const facesRemove: Command = {
  path: ['faces', 'remove'],
  usage: 'faces remove NAME [--config FILE]',
  summary: 'Forget an enrolled person',
  options: [FACES_CONFIG],
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: facesOptions });
    const [name, ...rest] = positionals;
    if (name === undefined || rest.length > 0) throw new UsageError('give one NAME');
    if (!(await (await storeFrom(values.config, io)).remove(name))) {
      writeLine(io.stderr, `✗ nobody named '${name}' is enrolled`);
      return 1;
    }
    writeLine(io.stdout, `✓ removed ${name}`);
    return 0;
  },
};
