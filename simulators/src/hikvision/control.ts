/**
 * A control endpoint for running simulators, on loopback only: lets a person (or a test) make a
 * simulated camera see motion or a line crossing, as a real one would on its alert stream, so the
 * "Snapshot on motion" and "Record on line crossing" examples can be tried without a camera.
 *
 *   curl -X POST 'http://127.0.0.1:PORT/event?camera=1&type=vmd'            motion for 4 s
 *   curl -X POST 'http://127.0.0.1:PORT/event?camera=1&type=linedetection&state=active'
 *   curl http://127.0.0.1:PORT/                                             the cameras
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HikvisionSimulator } from './simulator.js';

/** Event types a Hikvision camera sends on its alert stream (lower case as the client reports them). */
export const CONTROL_EVENT_TYPES: readonly string[] = ['vmd', 'linedetection', 'fielddetection', 'regionentrance', 'regionexiting', 'tamperdetection', 'io', 'pir'];
/** Without `state`, an event is active this long, then inactive (a person walking past). */
const PULSE_MS = 4_000;

export class SimulatorControl {
  readonly #sims: readonly HikvisionSimulator[];
  readonly #timers = new Set<NodeJS.Timeout>();
  #server: Server | undefined;

  constructor(sims: readonly HikvisionSimulator[]) {
    this.#sims = sims;
  }

  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Loopback only: anyone who reaches it can make the cameras report events.
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://control.invalid');
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (req.method === 'GET' && url.pathname === '/') {
      return reply(200, { cameras: this.#sims.map((sim, i) => ({ camera: i + 1, url: sim.url })), events: CONTROL_EVENT_TYPES });
    }
    if (req.method !== 'POST' || url.pathname !== '/event') return reply(404, { error: 'POST /event?camera=N&type=vmd[&state=active|inactive][&channel=C]' });
    const index = Number(url.searchParams.get('camera') ?? '1');
    const sim = Number.isInteger(index) ? this.#sims[index - 1] : undefined;
    if (sim === undefined) return reply(400, { error: `camera must be 1..${this.#sims.length}` });
    const type = (url.searchParams.get('type') ?? 'vmd').toLowerCase();
    if (!CONTROL_EVENT_TYPES.includes(type)) return reply(400, { error: `type must be one of ${CONTROL_EVENT_TYPES.join(', ')}` });
    const state = url.searchParams.get('state');
    if (state !== null && state !== 'active' && state !== 'inactive') return reply(400, { error: 'state must be active or inactive' });
    const channel = Number(url.searchParams.get('channel') ?? '1');
    if (!Number.isInteger(channel) || channel < 1) return reply(400, { error: 'channel must be a positive whole number' });
    // Real cameras spell the types in camel case on the wire (VMD, linedetection, ...).
    const wire = type === 'vmd' || type === 'io' || type === 'pir' ? type.toUpperCase() : type;
    sim.triggerEvent({ type: wire, channel, state: state ?? 'active' });
    if (state === null) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        sim.triggerEvent({ type: wire, channel, state: 'inactive' });
      }, PULSE_MS);
      this.#timers.add(timer);
    }
    reply(200, { camera: index, type, state: state ?? `active for ${PULSE_MS / 1000} s`, channel });
  }
}
