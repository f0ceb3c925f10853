import { defineConfig } from 'vitest/config';

// One run over every package; each project has its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/api', 'apps/web'],
    // Integration tests are I/O bound; two cores run two files at once well.
    maxWorkers: 2,
  },
});
