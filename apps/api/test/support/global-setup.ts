import type { TestProject } from 'vitest/node';
import type { LoginRole } from '@rolegate/db';
import { startTestPostgres } from '@rolegate/db/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    /** Owns the tables (ran the migrations); test databases are owned by it. */
    pgOwnerRole: LoginRole;
    /** The least-privilege role every app of the test stack connects as (member of rolegate_runtime). */
    pgRuntimeRole: LoginRole;
  }
}

/**
 * One real PostgreSQL for the whole run (`@rolegate/db/testing`): DATABASE_URL
 * when set, otherwise an embedded server in a temporary folder. A template
 * database holds the migrated schema; every test file clones its own database
 * from it.
 */
export default async function setup(project: TestProject) {
  const pg = await startTestPostgres();
  project.provide('pgAdminUrl', pg.adminUrl);
  project.provide('pgTemplate', pg.template);
  project.provide('pgOwnerRole', pg.owner);
  project.provide('pgRuntimeRole', pg.runtime);
  return pg.stop;
}
