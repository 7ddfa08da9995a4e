/**
 * `npm start`: the bridge working at once, with nothing to install. Simulated cameras (three Hikvision,
 * one TrailCam) are started on the addresses examples/demo.yaml gives them, then the embedded broker
 * and the bridge on that same file. A camera "sees motion" now and then so there is something to
 * watch. Ctrl-C stops everything; a second Ctrl-C exits at once.
 *
 * It lives in the private examples workspace (run by Node 24's type stripping), so the published
 * bridge never depends on the simulators.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CamflowConfig, createLogger, createPipeline, formatLogRecord, loadConfig, type Pipeline } from '@camflow/core';
import { HikvisionSimulator, OverlayPicture, TrailCamSimulator } from '@camflow/simulators';
import { Bridge, bridgeVersion, detectionFromConfig, statusPage } from 'camflow-mqtt-bridge';

interface Simulator {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const scene = (name: string): Buffer => readFileSync(new URL(`scenes/${name}`, import.meta.url));
/** What each demo camera sees (by camera id); others see the car park. The front door sees someone on motion. */
const SCENES: Record<string, string> = { front: 'empty.jpg', yard: 'parking-camera.jpg', garage: 'car.jpg' };
const MOTION_SCENE = 'people.jpg';

interface DemoCamera {
  sim: HikvisionSimulator;
  picture: OverlayPicture;
  idle: Buffer;
  /** Someone walks into the picture while it reports motion (the camera with detection on). */
  visitor: boolean;
}

const MOTION_EVERY_MS = 20_000;
const MOTION_LASTS_MS = 4_000;

function simulatorsFor(config: CamflowConfig, print: (line: string) => void): { all: Simulator[]; hikvision: DemoCamera[] } {
  const hikvision: DemoCamera[] = [];
  const all: Simulator[] = [];
  for (const [index, camera] of config.cameras.entries()) {
    if (camera.type === 'hikvision') {
      const sim = new HikvisionSimulator({
        port: camera.port ?? 80,
        username: camera.username,
        password: camera.password,
        deviceName: camera.name ?? camera.id,
        // Each camera its own serial, as real ones have (Home Assistant tells devices apart by it).
        serialNumber: `DS-2CD2386G2-IU20240${String(index + 1).padStart(3, '0')}AAWRK${String(camera.port ?? 80).padStart(8, '0')}`,
        heartbeatMs: 10_000,
      });
      const idle = scene(SCENES[camera.id] ?? 'parking-camera.jpg');
      let warned = false;
      const picture = new OverlayPicture(sim, {
        scene: idle,
        onError: (error) => {
          if (!warned) print(`demo: camera pictures stay test patterns (${error.message})`);
          warned = true;
        },
      });
      hikvision.push({ sim, picture, idle, visitor: config.detect.cameras[camera.id] !== undefined });
      all.push({
        async start() {
          await sim.start();
          await picture.start();
        },
        async stop() {
          await picture.stop();
          await sim.stop();
        },
      });
    } else if (camera.type === 'p2p') {
      all.push(
        new TrailCamSimulator({
          did: camera.did,
          ...(camera.lan_port === undefined ? {} : { lanPort: camera.lan_port }),
          ...(camera.ports?.[0] === undefined ? {} : { sessionPort: camera.ports[0] }),
          username: camera.username,
          password: camera.password,
          photos: 6,
        }),
      );
    } else print(`demo: camera '${camera.id}' (${camera.type}) has no simulator here; it is used as configured`);
  }
  return { all, hikvision };
}

/** Every MOTION_EVERY_MS one camera in turn reports motion for MOTION_LASTS_MS (the front door sees a person then). */
function scheduleMotion(cameras: readonly DemoCamera[], print: (line: string) => void): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let next = 0;
  const interval = setInterval(() => {
    const camera = cameras[next++ % cameras.length];
    if (camera === undefined) return;
    const { sim, picture, idle, visitor: someone } = camera;
    print(`demo: motion on the camera at port ${sim.port}${someone ? ' (someone walks in)' : ''}`);
    const walkedIn = someone ? picture.setScene(scene(MOTION_SCENE)) : Promise.resolve();
    void walkedIn.then(() => sim.triggerEvent({ type: 'VMD', state: 'active' }));
    const end = setTimeout(() => {
      timers.delete(end);
      sim.triggerEvent({ type: 'VMD', state: 'inactive' });
      if (someone) void picture.setScene(idle);
    }, MOTION_LASTS_MS);
    timers.add(end);
  }, MOTION_EVERY_MS);
  return () => {
    clearInterval(interval);
    for (const timer of timers) clearTimeout(timer);
  };
}

async function main(): Promise<number> {
  const file = process.argv[2] ?? fileURLToPath(new URL('demo.yaml', import.meta.url));
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const config = await loadConfig(file);
  const logger = createLogger({ level: config.log.level, sink: (record) => process.stderr.write(`${formatLogRecord(record)}\n`) });
  const { all, hikvision } = simulatorsFor(config, print);
  // The pipeline (detection, snapshots from the status page) keeps its data in a folder of its own.
  const dataDir = await mkdtemp(join(tmpdir(), 'camflow-demo-'));
  config.pipeline.data_dir = join(dataDir, 'data');
  config.pipeline.media_dir = join(dataDir, 'media');
  const pipeline: Pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, detect: config.detect, logger });
  const bridge = new Bridge({ config, logger: logger.child('bridge'), version: bridgeVersion(), pipeline: pipeline.engine, detection: detectionFromConfig(config) });
  const status = statusPage({ config, logger: logger.child('status'), bridge, engine: pipeline.engine, mediaDir: config.pipeline.media_dir });
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    print('\nStopping (Ctrl-C again to exit at once)...');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let stopMotion = (): void => {};
  try {
    await Promise.all(all.map((sim) => sim.start()));
    print(`demo: ${hikvision.length} Hikvision and ${all.length - hikvision.length} TrailCam simulators on 127.0.0.1`);
    await pipeline.engine.startWorkers();
    await bridge.start();
    const page = await status?.listen();
    const broker = bridge.brokerUrl ?? '';
    const { hostname, port } = new URL(broker);
    const at = port === '1883' || port === '' ? `-h ${hostname}` : `-h ${hostname} -p ${port}`;
    print(`demo: bridge running on ${broker} with config ${file}`);
    print('Watch it:');
    print(`  mosquitto_sub ${at} -t 'camflow/#' -v`);
    print(`  mosquitto_sub ${at} -t 'camflow/#' -T 'camflow/+/snapshot' -v   # without the JPEG bytes`);
    print(`  mosquitto_sub ${at} -t 'homeassistant/#' -v                     # the discovery configs`);
    print(`Try a command:  mosquitto_pub ${at} -t camflow/front/overlay/2/set -m 21.5`);
    print('Home Assistant: add the MQTT integration with this broker; the cameras appear as devices.');
    if (page !== undefined) print(`Status page: ${page}`);
    print('Ctrl-C stops everything.');
    stopMotion = scheduleMotion(hikvision, print);
    if (!controller.signal.aborted) await new Promise((resolve) => controller.signal.addEventListener('abort', resolve, { once: true }));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`✗ demo failed: ${message}\n`);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const mqtt = /:1883\b/.test(message) ? ' (another MQTT broker?)' : '';
      process.stderr.write(`  That port, set in ${file}, is taken${mqtt}. Edit the file or stop what holds it.\n`);
    }
    return 1;
  } finally {
    stopMotion();
    await status?.service.stop();
    await bridge.stop();
    await pipeline.close(2000);
    await rm(dataDir, { recursive: true, force: true });
    await Promise.allSettled(all.map((sim) => sim.stop()));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    print('demo: stopped');
  }
}

process.exitCode = await main();
