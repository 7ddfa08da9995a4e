/**
 * Runs in each worker thread of the CpuPool. It lowers its own thread's priority once (on Linux the
 * nice value is per thread), so the event loop of the main thread wins the CPU when both want it:
 * detection keeps both cores busy, and camera I/O, MQTT and HTTP answers still come first.
 * Then each task is `{module, input}`: the module's default export runs on the input.
 */
import { setPriority } from 'node:os';

const LOWER_BY = 10;
try {
  setPriority(0, LOWER_BY);
} catch {
  // Not allowed (a container without CAP_SYS_NICE can still lower, never raise; other OSes): run as is.
}

type TaskFunction = (input: unknown) => unknown;
const loaded = new Map<string, Promise<TaskFunction>>();

export default async function run({ module, input }: { module: string; input: unknown }): Promise<unknown> {
  let fn = loaded.get(module);
  if (fn === undefined) {
    fn = import(module).then((m: { default?: unknown }) => {
      if (typeof m.default !== 'function') throw new TypeError(`${module} has no default export function`);
      return m.default as TaskFunction;
    });
    loaded.set(module, fn);
  }
  return (await fn)(input);
}
