import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations, ensureLoginRoles, MIGRATIONS_DIR, startEmbeddedPostgres, type LoginRole } from '@rolegate/db';

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
 * One real PostgreSQL for the whole run: DATABASE_URL when set, otherwise an
 * embedded server in a temporary folder. A template database holds the
 * migrated schema; every test file clones its own database from it.
 */
export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stop: () => Promise<void> = async () => {};
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-test-pg-'));
    // Postgres runs as the `postgres` user when we are root; it must reach the folder.
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
    adminUrl = server.url;
    stop = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  // The two-role model of production (README, "Database roles"): the owner migrates,
  // the app runs as a runtime role, so the whole suite proves least privilege.
  const owner: LoginRole = { name: `rolegate_towner_${process.pid}`, password: randomBytes(18).toString('base64url') };
  const runtime: LoginRole = { name: `rolegate_tapp_${process.pid}`, password: randomBytes(18).toString('base64url') };
  await ensureLoginRoles(adminUrl, { owner, runtime });
  const template = `rolegate_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
  await admin.query(`CREATE DATABASE "${template}" OWNER "${owner.name}"`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  templateUrl.username = owner.name;
  templateUrl.password = owner.password;
  await applyMigrations(templateUrl.toString(), MIGRATIONS_DIR);

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  project.provide('pgOwnerRole', owner);
  project.provide('pgRuntimeRole', runtime);
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const dbs = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'rolegate_t%'`);
    for (const { datname } of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
    for (const role of [runtime.name, owner.name]) await c.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => {});
    await c.end();
    await stop();
  };
}
