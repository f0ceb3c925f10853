import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.js';
import { applyMigrations, MIGRATIONS_DIR } from './migrate.js';
import { ensureLoginRoles, type LoginRole } from './roles.js';

/*
 * The Postgres harness of the test suites (`@rolegate/db/testing`): one real
 * server per run (DATABASE_URL, or an embedded one), a template database
 * migrated once, and a database per test file cloned from it, owned by the
 * role that ran the migrations while the app connects as the least-privilege
 * runtime role — the two-role model of production (README, "Database roles").
 * Never imported by production code.
 */

/** What a run's test databases are made from; vitest's globalSetup provides it to the test files. */
export interface TestPostgres {
  adminUrl: string;
  template: string;
  /** Owns the tables (ran the migrations); test databases are owned by it. */
  owner: LoginRole;
  /** The least-privilege role an app under test connects as (member of rolegate_runtime). */
  runtime: LoginRole;
}

/**
 * Starts (or reaches, with DATABASE_URL) the run's Postgres, creates the two
 * login roles and the migrated template. The returned `stop` drops every test
 * database and the roles, then stops an embedded server.
 */
export async function startTestPostgres(databaseUrl: string | undefined = process.env.DATABASE_URL): Promise<TestPostgres & { stop: () => Promise<void> }> {
  let adminUrl = databaseUrl;
  let stopServer: () => Promise<void> = async () => {};
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-test-pg-'));
    // Postgres runs as the `postgres` user when we are root; it must reach the folder.
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
    adminUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
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

  const finalAdminUrl = adminUrl;
  return {
    adminUrl: finalAdminUrl,
    template,
    owner,
    runtime,
    async stop() {
      const c = new pg.Client({ connectionString: finalAdminUrl });
      await c.connect();
      const dbs = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'rolegate_t%'`);
      for (const { datname } of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
      for (const role of [runtime.name, owner.name]) await c.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => {});
      await c.end();
      await stopServer();
    },
  };
}

/** A fresh database for one test file (the admin's URL): a clone of the migrated template, or empty. */
export async function createTestDatabase(pg_: Pick<TestPostgres, 'adminUrl' | 'template' | 'owner'>, opts: { empty?: boolean } = {}): Promise<string> {
  const name = `rolegate_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pg_.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"${opts.empty ? '' : ` TEMPLATE "${pg_.template}"`} OWNER "${pg_.owner.name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(pg_.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `url` (a test database) as one of the run's login roles. */
export function asLoginRole(url: string, role: LoginRole): string {
  const u = new URL(url);
  u.username = role.name;
  u.password = role.password;
  return u.toString();
}
