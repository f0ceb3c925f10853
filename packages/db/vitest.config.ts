import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Repository tests run against real Postgres: a database per file, cloned from a migrated template.
    globalSetup: ['./src/test-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
