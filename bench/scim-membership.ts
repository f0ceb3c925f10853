/**
 * SCIM membership lookup: what SCIM adds to every request of a signed-in
 * person when SCIM_ENABLED is on (scim/membership.ts → one query). Seeds
 * --users people, --groups groups, --per-user memberships each and
 * --changes rows of change log in a throwaway embedded Postgres, then times
 * `membershipOf(email)` for random people (--runs), sequentially, and prints
 * p50/p95/p99 in milliseconds (client-observed, one pooled connection).
 *
 *   pnpm exec tsx bench/scim-membership.ts [--users=20000] [--groups=2000] [--per-user=5] [--changes=200000] [--runs=2000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, createDatabase, createScimRepository, MIGRATIONS_DIR, startEmbeddedPostgres } from '../packages/db/src/index.js';
import { fmt, summarize } from './stats.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const USERS = num('users', 20_000);
const GROUPS = num('groups', 2_000);
const PER_USER = num('per-user', 5);
const CHANGES = num('changes', 200_000);
const RUNS = num('runs', 2_000);

const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-bench-scim-'));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
try {
  await applyMigrations(server.url, MIGRATIONS_DIR);
  const db = createDatabase({ url: server.url, max: 2 });
  const sql = db.pool;
  await sql.query(
    `INSERT INTO scim_users (user_name, user_name_key, email_key, external_id, display_name, data)
     SELECT 'user' || i || '@example.com', 'user' || i || '@example.com', 'user' || i || '@example.com', 'ext' || i, 'User ' || i,
            jsonb_build_object('userName', 'user' || i || '@example.com') FROM generate_series(1, $1) i`,
    [USERS],
  );
  await sql.query(
    `INSERT INTO scim_groups (display_name, display_name_key, external_id) SELECT 'group-' || i, 'group-' || i, 'oid-' || i FROM generate_series(1, $1) i`,
    [GROUPS],
  );
  await sql.query(
    `INSERT INTO scim_group_members (group_id, user_id)
     SELECT DISTINCT g.id, u.id FROM (SELECT id, row_number() OVER () AS n FROM scim_users) u
       CROSS JOIN generate_series(1, $1) k
       JOIN (SELECT id, row_number() OVER () AS n FROM scim_groups) g ON g.n = ((u.n * 7 + k * 13) % $2) + 1`,
    [PER_USER, GROUPS],
  );
  await sql.query(
    `INSERT INTO scim_changes (actor, action, resource_type, resource_id) SELECT 'scim:bench', 'patch', CASE WHEN i % 2 = 0 THEN 'User' ELSE 'Group' END, i::text FROM generate_series(1, $1) i`,
    [CHANGES],
  );
  await sql.query('ANALYZE');
  const repo = createScimRepository(sql);
  for (let i = 0; i < 100; i++) await repo.membershipOf(`user${1 + (i % USERS)}@example.com`); // warm-up
  const times: number[] = [];
  let groups = 0;
  for (let i = 0; i < RUNS; i++) {
    const email = `USER${1 + Math.floor(Math.random() * USERS)}@example.com`;
    const t0 = performance.now();
    const m = await repo.membershipOf(email);
    times.push(performance.now() - t0);
    groups += m.groups.length;
  }
  const s = summarize(times);
  console.log(`| users | groups | memberships/user | change rows | runs | p50 ms | mean ms | p99 ms | max ms | groups/lookup |`);
  console.log(`|---|---|---|---|---|---|---|---|---|---|`);
  console.log(
    `| ${USERS} | ${GROUPS} | ${PER_USER} | ${CHANGES} | ${RUNS} | ${fmt(s.p50, 2)} | ${fmt(s.mean, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.max, 2)} | ${fmt(groups / RUNS, 1)} |`,
  );
  await db.close();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
