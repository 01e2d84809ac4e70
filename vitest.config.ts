import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one Docker engine; files run in parallel, tests in a file in order.
    // Most of their time is spent waiting on the engine, not on the 2 cores: vitest's default of
    // one worker per core minus one ran every file one after another here.
    maxWorkers: 3,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
