/**
 * Audit benchmark: seeds N grants (default 10 million) with generate_series
 * into a separate database, then measures
 *   - a filtered history page (one user, 30 days, 50 rows), p50/p95 over ≥ 200 runs,
 *     plus a few other filter shapes and a second page by cursor;
 *   - export throughput (rows/s) through the real export path (COPY … TO STDOUT piped to the
 *     HTTP response by streamGrantExport) over HTTP, with peak RSS.
 * Prints a markdown table (and writes it to bench/audit-results.md).
 * --seed-only seeds (e.g. under `nice`) and stops; the next run reuses the data.
 *
 *   pnpm exec tsx bench/audit.ts [--rows=10000000] [--runs=300] [--export-days=60] [--data-dir=DIR] [--reseed] [--clean]
 *
 * Postgres: DATABASE_URL (an admin URL; the database `rolegate_bench_audit` is
 * created there) or an embedded server in --data-dir (default
 * $TMPDIR/rolegate-bench-audit), kept between runs so seeding happens once.
 */
import { rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyMigrations, createAuditGrantRepository, createDatabase, MIGRATIONS_DIR, startEmbeddedPostgres, type Database } from '../packages/db/src/index.js';
import type { AuditFilter } from '../packages/core/src/index.js';
import { streamGrantExport } from '../apps/api/src/services/audit-export.js';
import { ROOT } from './child.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
const ROWS = Number(args.get('rows') ?? 10_000_000);
const RUNS = Math.max(200, Number(args.get('runs') ?? 300));
const EXPORT_DAYS = Number(args.get('export-days') ?? 60);
const USERS = 10_000;
const ACCOUNTS = 50;
const ROLES_PER_ACCOUNT = 4;
const DAYS = 365;
const DB_NAME = 'rolegate_bench_audit';
const dataDir = path.resolve(args.get('data-dir') ?? path.join(os.tmpdir(), 'rolegate-bench-audit'));
/** Fixed "now" of the data set, so runs are comparable. */
const NOW = new Date('2026-11-29T00:00:00Z');

const log = (msg: string) => process.stderr.write(`[audit-bench] ${msg}\n`);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

async function openPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (args.has('clean')) await rm(dataDir, { recursive: true, force: true });
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg') });
    adminUrl = server.url;
    stop = () => server.stop();
  }
  const admin = createDatabase({ url: adminUrl, max: 1 });
  const exists = await admin.pool.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB_NAME]);
  if (exists.rowCount === 0) await admin.pool.query(`CREATE DATABASE "${DB_NAME}"`);
  await admin.close();
  const url = new URL(adminUrl);
  url.pathname = `/${DB_NAME}`;
  return { url: url.toString(), stop };
}

/** Seeds users and grants unless the table already holds ROWS grants. */
async function seed(db: Database): Promise<void> {
  const client = await db.pool.connect();
  try {
    await seedWith((sql, params = []) => client.query(sql, params));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function seedWith(q: (sql: string, params?: unknown[]) => Promise<{ rows: any[]; rowCount: number | null }>): Promise<void> {
  const have = Number((await q(`SELECT count(*) AS n FROM grants`)).rows[0].n);
  if (have === ROWS && !args.has('reseed')) {
    log(`reusing ${have.toLocaleString()} seeded grants`);
    return;
  }
  const started = Date.now();
  // One transaction: a failure half-way (or Ctrl-C) rolls back the dropped indexes too.
  await q('BEGIN');
  await q(`SET LOCAL maintenance_work_mem = '512MB'`);
  await q(`SET LOCAL max_parallel_maintenance_workers = 0`);
  // Append-only tables (access_request_events) refuse TRUNCATE through their triggers: a reseed is the bench's own business.
  await q(`SET LOCAL session_replication_role = replica`);
  await q(`TRUNCATE grants, users CASCADE`);
  await q(`SET LOCAL session_replication_role = origin`);
  // Build indexes once at the end: far cheaper than maintaining 8 btrees during 10M inserts.
  const indexes = (await q(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'grants' AND indexname <> 'grants_pkey'`)).rows as {
    indexname: string;
    indexdef: string;
  }[];
  for (const i of indexes) await q(`DROP INDEX "${i.indexname}"`);
  await q(`ALTER TABLE grants DROP CONSTRAINT IF EXISTS grants_user_id_fkey`);
  await q(`ALTER TABLE grants DROP CONSTRAINT IF EXISTS grants_pkey`);

  await q(
    `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups, created_at, last_login_at)
     SELECT md5('user' || u)::uuid, 'oidc', 'https://idp.example.com', 'user-' || u, 'user-' || u || '@example.com', 'User ' || u, '{engineers}', $1, $1
     FROM generate_series(0, ${USERS - 1}) AS u`,
    [NOW],
  );
  const chunk = 1_000_000;
  for (let lo = 0; lo < ROWS; lo += chunk) {
    const hi = Math.min(ROWS, lo + chunk) - 1;
    // Deterministic spread: time falls evenly over DAYS, users/accounts/roles by multiplicative hashing.
    await q(
      `INSERT INTO grants (id, created_at, updated_at, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn,
         role_session_name, source_identity, kind, duration_seconds, expires_at, reason, status, sts_request_id, access_key_id,
         client_ip, user_agent, error)
       SELECT gen_random_uuid(), t, t, md5('user' || u)::uuid, 'user-' || u || '@example.com', 'user-' || u, 'oidc', '{engineers}',
         md5('mapping' || r)::uuid, lpad(a::text, 12, '1'), 'arn:aws:iam::' || lpad(a::text, 12, '1') || ':role/Role' || r,
         'user-' || u || '@example.com', 'user-' || u || '@example.com',
         CASE WHEN i % 10 < 7 THEN 'console'::"GrantKind" ELSE 'cli'::"GrantKind" END, 3600,
         CASE WHEN s = 'issued' THEN t + interval '1 hour' END,
         CASE WHEN i % 5 = 0 THEN 'ticket OPS-' || (i % 100000) END,
         s::"GrantStatus",
         CASE WHEN s IN ('issued', 'failed') THEN md5('req' || i)::uuid::text END,
         CASE WHEN s = 'issued' THEN 'ASIA' || upper(substr(md5('key' || i), 1, 16)) END,
         '10.' || (i % 250) || '.' || (i % 199) || '.' || (i % 97),
         'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
         CASE WHEN s = 'failed' THEN 'sts:AccessDenied' END
       FROM (
         SELECT i,
           $1::timestamptz - (i::float8 / ${ROWS} * ${DAYS} * interval '1 day') AS t,
           (i * 2654435761) % ${USERS} AS u,
           (i * 40503) % ${ACCOUNTS} AS a,
           (i * 40503) % ${ACCOUNTS} * ${ROLES_PER_ACCOUNT} + (i * 7) % ${ROLES_PER_ACCOUNT} AS r,
           CASE WHEN i % 100 < 90 THEN 'issued' WHEN i % 100 < 95 THEN 'denied' WHEN i % 100 < 99 THEN 'failed' ELSE 'pending' END AS s
         FROM generate_series(${lo}::bigint, ${hi}::bigint) AS i
       ) g`,
      [NOW],
    );
    log(`seeded ${(hi + 1).toLocaleString()} / ${ROWS.toLocaleString()} grants (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await q(`ALTER TABLE grants ADD CONSTRAINT grants_pkey PRIMARY KEY (id)`);
  for (const i of indexes) {
    await q(i.indexdef);
    log(`built ${i.indexname} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await q(`ALTER TABLE grants ADD CONSTRAINT grants_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) NOT VALID`);
  await q('COMMIT');
  await q(`VACUUM (ANALYZE) grants`);
  await q(`VACUUM (ANALYZE) users`);
  log(`seeding done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

interface PageResult {
  name: string;
  runs: number;
  p50: number;
  p95: number;
  max: number;
  rows: number;
  index: string;
}

/** Runs `make()`-built filters RUNS times after a warm-up; times each repository call (SQL + row mapping). */
async function measurePages(db: Database, name: string, make: (n: number) => { filter: AuditFilter; cursor?: string }): Promise<PageResult> {
  const repo = createAuditGrantRepository(db.pool);
  for (let n = 0; n < 20; n++) await repo.list(make(n + 100_000).filter, { limit: 50 });
  const times: number[] = [];
  let rows = 0;
  for (let n = 0; n < RUNS; n++) {
    const { filter, cursor } = make(n);
    const t0 = process.hrtime.bigint();
    const page = await repo.list(filter, { limit: 50, cursor });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    rows += page.items.length;
  }
  times.sort((a, b) => a - b);
  const plan = await explainIndex(db, make(0).filter);
  return { name, runs: RUNS, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)!, rows: rows / RUNS, index: plan };
}

/** The index the planner picks for a filter (from EXPLAIN). */
async function explainIndex(db: Database, filter: AuditFilter): Promise<string> {
  const { auditWhere } = await import('../packages/db/src/index.js');
  const w = auditWhere(filter, null);
  const res = await db.pool.query(`EXPLAIN SELECT id FROM grants ${w.sql} ORDER BY created_at DESC, id DESC LIMIT 51`, w.params);
  const text = res.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  return /using (\w+)/i.exec(text)?.[1] ?? (text.includes('Seq Scan') ? 'seq scan' : 'other');
}

const DAY = 86_400_000;
const rnd = (n: number, mod: number) => (n * 2654435761) % mod;
/** A random 30-day window inside the data set's year. */
const window30 = (n: number) => {
  const to = new Date(NOW.getTime() - rnd(n + 7, DAYS - 30) * DAY);
  return { from: new Date(to.getTime() - 30 * DAY), to };
};

interface ExportResult {
  format: 'csv' | 'ndjson';
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  mb: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
}

/** Streams an export over real HTTP (server: openExport + streamGrantExport; client: reads and discards), sampling RSS. */
async function measureExport(db: Database, format: 'csv' | 'ndjson', filter: AuditFilter): Promise<ExportResult> {
  const repo = createAuditGrantRepository(db.pool);
  const server = http.createServer((_req, res) => {
    void (async () => {
      const source = await repo.openExport(filter, format);
      res.writeHead(200, { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' });
      await streamGrantExport(source, res, format);
    })().catch((err: unknown) => {
      log(`export failed: ${String(err)}`);
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  global.gc?.();
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 20);
  let bytes = 0;
  let lines = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    http
      .get(`http://127.0.0.1:${port}/`, (res) => {
        pipeline(
          res,
          new Writable({
            write(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
              cb();
            },
          }),
        ).then(resolve, reject);
      })
      .on('error', reject);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  const rows = format === 'csv' ? lines - 1 : lines;
  const rssEnd = process.memoryUsage().rss;
  rssPeak = Math.max(rssPeak, rssEnd);
  server.close();
  const mb = (n: number) => n / 1024 / 1024;
  return { format, rows, seconds, rowsPerSecond: rows / seconds, mb: mb(bytes), rssStartMb: mb(rssStart), rssPeakMb: mb(rssPeak), rssEndMb: mb(rssEnd) };
}

async function main() {
  const pgHandle = await openPostgres();
  await applyMigrations(pgHandle.url, MIGRATIONS_DIR);
  // An hour, not 0: createDatabase also sets a client-side query timeout of the statement timeout + 2 s.
  const seeder = createDatabase({ url: pgHandle.url, max: 1, statementTimeoutMs: 3_600_000 });
  await seed(seeder);
  await seeder.close();
  if (args.has('seed-only')) {
    await pgHandle.stop();
    return;
  }

  const db = createDatabase({ url: pgHandle.url, max: 4 });
  const total = Number((await db.pool.query(`SELECT count(*) AS n FROM grants`)).rows[0].n);
  log(`measuring pages (${RUNS} runs each)`);
  const user = (n: number) => `user-${rnd(n, USERS)}@example.com`;
  const pages: PageResult[] = [];
  pages.push(await measurePages(db, 'one user (email), 30 days, 50 rows', (n) => ({ filter: { user: user(n), ...window30(n) } })));
  // Second page: cursor taken from a first page of the same filter.
  const repo = createAuditGrantRepository(db.pool);
  const cursors: (string | undefined)[] = [];
  for (let n = 0; n < RUNS; n++) cursors.push((await repo.list({ user: user(n), ...window30(n) }, { limit: 50 })).nextCursor ?? undefined);
  pages.push(
    await measurePages(db, 'same, next page by cursor', (n) => ({ filter: { user: user(n % RUNS), ...window30(n % RUNS) }, cursor: cursors[n % RUNS] })),
  );
  pages.push(
    await measurePages(db, 'one account, 30 days, 50 rows', (n) => ({ filter: { accountId: String(rnd(n, ACCOUNTS)).padStart(12, '1'), ...window30(n) } })),
  );
  const roleOf = (n: number) => {
    const a = rnd(n, ACCOUNTS);
    return {
      arn: `arn:aws:iam::${String(a).padStart(12, '1')}:role/Role${a * ROLES_PER_ACCOUNT + (n % ROLES_PER_ACCOUNT)}`,
      name: `role${a * ROLES_PER_ACCOUNT + (n % ROLES_PER_ACCOUNT)}`,
    };
  };
  pages.push(await measurePages(db, 'one role ARN, 30 days, 50 rows', (n) => ({ filter: { roleArn: roleOf(n).arn, ...window30(n) } })));
  pages.push(
    await measurePages(db, 'one role name (every account, any case), 30 days, 50 rows', (n) => ({ filter: { role: roleOf(n).name, ...window30(n) } })),
  );
  pages.push(await measurePages(db, 'status=denied, 30 days, 50 rows', (n) => ({ filter: { status: 'denied', ...window30(n) } })));
  pages.push(await measurePages(db, 'one user + status=failed, all time', (n) => ({ filter: { user: user(n), status: 'failed' } })));
  pages.push(await measurePages(db, 'no filter (newest 50)', () => ({ filter: {} })));

  const exportFilter: AuditFilter = { from: new Date(NOW.getTime() - EXPORT_DAYS * DAY) };
  log(`measuring exports (last ${EXPORT_DAYS} days)`);
  const exports = [await measureExport(db, 'csv', exportFilter), await measureExport(db, 'ndjson', exportFilter)];
  await db.close();
  await pgHandle.stop();

  const lines = [
    `## Audit benchmark (${new Date().toISOString().slice(0, 10)})`,
    '',
    `\`pnpm exec tsx bench/audit.ts --rows=${ROWS}\` — ${total.toLocaleString()} grants (seeded with generate_series), ${USERS.toLocaleString()} users, ${ACCOUNTS} accounts, ${DAYS} days; Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Postgres ${process.env.DATABASE_URL ? 'from DATABASE_URL' : 'embedded'} with default settings.`,
    '',
    '| filtered page (repository call: SQL + mapping) | runs | p50 ms | p95 ms | max ms | rows/page | index used |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...pages.map((p) => `| ${p.name} | ${p.runs} | ${p.p50.toFixed(2)} | ${p.p95.toFixed(2)} | ${p.max.toFixed(2)} | ${p.rows.toFixed(0)} | ${p.index} |`),
    '',
    `| export (last ${EXPORT_DAYS} days, over HTTP) | rows | seconds | rows/s | MB sent | RSS start MB | RSS peak MB | RSS end MB |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...exports.map(
      (e) =>
        `| ${e.format} | ${e.rows.toLocaleString()} | ${e.seconds.toFixed(1)} | ${Math.round(e.rowsPerSecond).toLocaleString()} | ${e.mb.toFixed(0)} | ${e.rssStartMb.toFixed(0)} | ${e.rssPeakMb.toFixed(0)} | ${e.rssEndMb.toFixed(0)} |`,
    ),
    '',
    'Goals: filtered page p95 ≤ 20 ms; export ≥ 100,000 rows/s with flat memory.',
    '',
  ];
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(path.join(ROOT, 'bench/audit-results.md'), table);
}

main().catch((err: unknown) => {
  process.stderr.write(`audit bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
