// The fault suite: kills the daemon, restarts the engine, starves the state dir. It must never run
// beside other tests that use the engine, so it has its own config: one file at a time, tests in
// order, and a table of results printed at the end (global-setup.ts).
//
//   npm run test:faults                         # the full suite (see docs/faults.md)
//   FAULTS_PROFILE=reduced npm run test:faults  # the reduced one scripts/test.sh runs
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.fault.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
    testTimeout: 30 * 60_000,
    // Hooks wait up to 15 minutes for other test runs to leave the engine alone.
    hookTimeout: 20 * 60_000,
    globalSetup: ['test/faults/support/global-setup.ts'],
    reporters: ['default'],
  },
});
