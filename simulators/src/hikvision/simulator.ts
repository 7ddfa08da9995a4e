import type { HikvisionFaults, HikvisionSimulatorOptions, HikvisionStats, RequestLogEntry, SimulatedOverlay, TriggeredEvent } from './types.js';

/** Skeleton: a strict Hikvision camera on 127.0.0.1. Filled in by the next commits. */
export class HikvisionSimulator {
  readonly options: HikvisionSimulatorOptions;
  readonly stats: HikvisionStats = {
    requests: 0, unauthorized: 0, failedLogins: 0, lockedOut: 0, replays: 0, stale: 0,
    alertStreamsOpened: 0, alertStreamsOpen: 0, connectionsOpened: 0, connectionsOpen: 0, dropped: 0, serverErrors: 0,
  };
  readonly requestLog: RequestLogEntry[] = [];

  constructor(options: HikvisionSimulatorOptions = {}) {
    this.options = options;
  }
  get port(): number {
    return 0;
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  start(): Promise<void> {
    return Promise.reject(new Error('not implemented'));
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  overlay(_channel: number, _id: number): SimulatedOverlay | undefined {
    return undefined;
  }
  triggerEvent(_e: TriggeredEvent): void {}
  setFaults(_f: Partial<HikvisionFaults>): void {}
  setPassword(_p: string): void {}
  reboot(): void {}
}
