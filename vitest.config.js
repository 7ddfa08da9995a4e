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
        // Each test file in a fresh worker: files start simulators and brokers and must not share state.
        isolate: true,
        reporters: ['default'],
    },
});
//# sourceMappingURL=vitest.config.js.map