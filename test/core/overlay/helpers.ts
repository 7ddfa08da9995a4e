import {
  createLogger,
  HikvisionClient,
  type LogRecord,
  type OverlayCameraSpec,
  OverlaySync,
  type OverlaySyncEvents,
  type OverlaySyncOptions,
} from '@camflow/core';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';

/** Simulated cameras, overlay engines and clients a test started; `cleanup()` releases them all. */
export class Rig {
  readonly simulators: HikvisionSimulator[] = [];
  readonly engines: OverlaySync[] = [];
  readonly logs: LogRecord[] = [];
  readonly logger = createLogger({ level: 'debug', sink: (record) => this.logs.push(record) });

  async camera(options: HikvisionSimulatorOptions = {}): Promise<HikvisionSimulator> {
    const simulator = new HikvisionSimulator(options);
    this.simulators.push(simulator);
    await simulator.start();
    return simulator;
  }

  /** A camera spec whose client (owned by the engine) talks to `simulator`. */
  spec(id: string, simulator: HikvisionSimulator, overlays: OverlayCameraSpec['overlays'], extra: Partial<OverlayCameraSpec> = {}): OverlayCameraSpec {
    return {
      id,
      name: id[0]?.toUpperCase() + id.slice(1),
      overlays,
      createTarget: () =>
        new HikvisionClient({
          host: '127.0.0.1',
          port: simulator.port,
          username: 'admin',
          password: 'password',
          timeoutMs: 2_000,
          authBackoffMs: 60_000,
          name: id,
        }),
      ...extra,
    };
  }

  engine(options: OverlaySyncOptions): OverlaySync {
    const engine = new OverlaySync({ logger: this.logger, ...options });
    this.engines.push(engine);
    return engine;
  }

  messages(level?: LogRecord['level']): string[] {
    return this.logs.filter((record) => level === undefined || record.level === level).map((record) => record.message);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.engines.splice(0).map((engine) => engine.stop()));
    await Promise.all(this.simulators.splice(0).map((simulator) => simulator.stop()));
    this.logs.length = 0;
  }
}

/** Requests the simulator answered since `from` (an index into its log), as `METHOD path status`. */
export function requestsSince(simulator: HikvisionSimulator, from: number): string[] {
  return simulator.requestLog.slice(from).map((entry) => `${entry.method} ${entry.path} ${entry.status}`);
}

/** Collects the next `count` payloads of `event`. */
export function collectEvents<K extends keyof OverlaySyncEvents>(engine: OverlaySync, event: K, count: number): Promise<OverlaySyncEvents[K][]> {
  const out: OverlaySyncEvents[K][] = [];
  return new Promise((resolve) => {
    const off = engine.on(event, (payload) => {
      out.push(payload);
      if (out.length < count) return;
      off();
      resolve(out);
    });
  });
}

/** Resolves when `predicate` holds for an event of the engine. */
export function waitFor<K extends keyof OverlaySyncEvents>(
  engine: OverlaySync,
  event: K,
  predicate: (payload: OverlaySyncEvents[K]) => boolean,
): Promise<OverlaySyncEvents[K]> {
  return new Promise((resolve) => {
    const off = engine.on(event, (payload) => {
      if (!predicate(payload)) return;
      off();
      resolve(payload);
    });
  });
}
