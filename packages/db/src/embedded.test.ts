import { chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded.js';

/*
 * Issue 10 §3. Attack: the embedded Postgres had a password published in the
 * source, so anyone on the host logged in as superuser and ran
 * `COPY ... FROM PROGRAM` (a shell as the postgres user). Now every data
 * directory gets its own random passwords (a 0600 file), and the app's roles
 * are not superusers.
 */

let dir: string;
let server: EmbeddedPostgresHandle;

async function query(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-embedded-'));
  await chmod(dir, 0o755); // as root, Postgres runs as `postgres` and must reach the folder
  server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
  await server.createDatabase('rolegate');
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it('keeps random per-directory passwords in a file only its owner can read', async () => {
    const file = path.join(dir, 'data.credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(Object.keys(creds).sort()).toEqual(['owner', 'runtime', 'superuser']);
    for (const p of Object.values(creds)) expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(Object.values(creds)).size).toBe(3);
    expect(decodeURIComponent(new URL(server.url).password)).toBe(creds.superuser);
  });

  it('listens on loopback only', async () => {
    const r = await query(server.url, `SHOW listen_addresses`);
    expect(r.rows[0].listen_addresses).toBe('127.0.0.1');
  });

  it('gives the app roles no superuser power: COPY ... FROM PROGRAM is refused to both', async () => {
    for (const url of [server.ownerUrlFor('rolegate'), server.runtimeUrlFor('rolegate')]) {
      const me = await query(url, `SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user`);
      expect(me.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false });
      await expect(query(url, `COPY (SELECT 1) TO PROGRAM 'true'`)).rejects.toThrow(/permission denied|must be superuser/);
    }
    const member = await query(server.runtimeUrlFor('rolegate'), `SELECT pg_has_role(current_user, 'rolegate_runtime', 'MEMBER') AS m`);
    expect(member.rows[0].m).toBe(true);
    const db = await query(server.url, `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'rolegate'`);
    expect(db.rows[0].owner).toBe(new URL(server.ownerUrlFor('rolegate')).username);
  });

  it('refuses a data directory without its credentials file (one made with the old published password)', { timeout: 60_000 }, async () => {
    await server.stop();
    const file = path.join(dir, 'data.credentials.json');
    const saved = await readFile(file, 'utf8');
    await unlink(file);
    await expect(startEmbeddedPostgres({ dataDir: path.join(dir, 'data') })).rejects.toThrow(/fixed superuser password/);
    // With its file back it starts again with the same passwords.
    await writeFile(file, saved, { mode: 0o600 });
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
    expect((await query(server.runtimeUrlFor('rolegate'), `SELECT 1 AS one`)).rows[0].one).toBe(1);
  });
});
