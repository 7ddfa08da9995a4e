import { defineConfig } from 'vitest/config';

// One config for the whole suite. Tests import the packages by name, so they exercise the built
// dist/ that ships (`npm test` builds first). Real parts (simulators, brokers, ffmpeg) listen on
// loopback ports chosen by the OS, so files may run in parallel.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: on the 2-core CI machines, one file at a time.
    // Most files wait on processes, sockets and timers rather than the CPU, so two at once take about
    // 60 % of the serial time (464 s against 760 s for the whole suite, same machine).
    maxWorkers: 2,
    // Each test file in a fresh worker: files start simulators and brokers and must not share state.
    isolate: true,
    reporters: ['default'],
  },
});
