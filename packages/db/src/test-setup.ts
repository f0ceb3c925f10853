import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from './testing.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Postgres (see testing.ts): where each test file makes its own database. */
    dbTestPostgres: Pick<TestPostgres, 'adminUrl' | 'template' | 'owner' | 'runtime'>;
  }
}

/** vitest globalSetup of the db project: one Postgres and a migrated template for the run. */
export default async function setup(project: TestProject) {
  const { stop, ...pg } = await startTestPostgres();
  project.provide('dbTestPostgres', pg);
  return stop;
}
