/**
 * `npm start`: the bridge working at once, with nothing to install. Simulated cameras (three Hikvision,
 * one TrailCam) are started on the addresses examples/demo.yaml gives them, then the embedded broker
 * and the bridge on that same file. A camera "sees motion" now and then so there is something to
 * watch. Ctrl-C stops everything; a second Ctrl-C exits at once.
 *
 * It lives in the private examples workspace (run by Node 24's type stripping), so the published
 * bridge never depends on the simulators.
 */
import { fileURLToPath } from 'node:url';
import { type CamflowConfig, createLogger, formatLogRecord, loadConfig } from '@camflow/core';
import { HikvisionSimulator, TrailCamSimulator } from '@camflow/simulators';
import { Bridge, bridgeVersion } from 'camflow-mqtt-bridge';

interface Simulator {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const MOTION_EVERY_MS = 20_000;
const MOTION_LASTS_MS = 4_000;

function simulatorsFor(config: CamflowConfig): { all: Simulator[]; hikvision: HikvisionSimulator[] } {
  const hikvision: HikvisionSimulator[] = [];
  const all: Simulator[] = [];
  for (const camera of config.cameras) {
    if (camera.type === 'hikvision') {
      const sim = new HikvisionSimulator({
        port: camera.port ?? 80,
        username: camera.username,
        password: camera.password,
        deviceName: camera.name ?? camera.id,
        heartbeatMs: 10_000,
      });
      hikvision.push(sim);
      all.push(sim);
    } else {
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
    }
  }
  return { all, hikvision };
}

/** Every MOTION_EVERY_MS one camera in turn reports motion for MOTION_LASTS_MS. */
function scheduleMotion(cameras: readonly HikvisionSimulator[], print: (line: string) => void): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let next = 0;
  const interval = setInterval(() => {
    const camera = cameras[next++ % cameras.length];
    if (camera === undefined) return;
    print(`demo: motion on the camera at port ${camera.port}`);
    camera.triggerEvent({ type: 'VMD', state: 'active' });
    const end = setTimeout(() => {
      timers.delete(end);
      camera.triggerEvent({ type: 'VMD', state: 'inactive' });
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
  const { all, hikvision } = simulatorsFor(config);
  const bridge = new Bridge({ config, logger: logger.child('bridge'), version: bridgeVersion() });
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
    await bridge.start();
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
    print('Ctrl-C stops everything.');
    stopMotion = scheduleMotion(hikvision, print);
    if (!controller.signal.aborted) await new Promise((resolve) => controller.signal.addEventListener('abort', resolve, { once: true }));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`✗ demo failed: ${message}\n`);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`  A port in ${file} is taken (another MQTT broker on 1883?). Edit the file or stop that service.\n`);
    }
    return 1;
  } finally {
    stopMotion();
    await bridge.stop();
    await Promise.allSettled(all.map((sim) => sim.stop()));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    print('demo: stopped');
  }
}

process.exitCode = await main();
