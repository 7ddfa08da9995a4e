import { hikvisionCommand } from './hikvision/cli.js';
import { trailcamCommand } from './p2p/cli.js';

/** A simulator kind runnable from `camflow-sim`: starts, prints where it listens, stops on abort. */
export interface SimulatorCommand {
  kind: string;
  usage: string;
  run(args: string[], signal: AbortSignal, print: (line: string) => void): Promise<void>;
}

/** Every simulator kind. A new kind is a line here. */
export const simulatorCommands: readonly SimulatorCommand[] = [trailcamCommand, hikvisionCommand];
