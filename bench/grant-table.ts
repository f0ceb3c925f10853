/**
 * Write cost of the grant table, variant by variant, measured in Postgres
 * alone (no HTTP, no AWS): W concurrent workers each record grants the way
 * the grant repository does — INSERT the pending row (one commit), UPDATE the
 * outcome (another commit) — for D seconds per run, in interleaved rounds.
 * Per variant: grants/s (median of rounds), WAL bytes per grant, CPU of the
 * Postgres processes per grant (from /proc), and the share of outcome
 * updates that were HOT. The table starts with --prefill rows so its indexes
 * have a realistic depth. WAL bytes and HOT share do not depend on the load
 * of the machine; grants/s and CPU do (compare within one run).
 *
 *   pnpm exec tsx bench/grant-table.ts [--workers=16] [--duration=8] [--rounds=3] [--prefill=300000] [--users=1]
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pg, type PgPool } from './deps.js';
import { applyMigrations, MIGRATIONS_DIR, startEmbeddedPostgres } from '../packages/db/src/index.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const WORKERS = Number(args.get('workers') ?? 16);
const DURATION = Number(args.get('duration') ?? 8);
const ROUNDS = Number(args.get('rounds') ?? 3);
const PREFILL = Number(args.get('prefill') ?? 300_000);
const USERS = Number(args.get('users') ?? 1);
const log = (m: string) => process.stderr.write(`[grant-table] ${m}\n`);

interface Variant {
  name: string;
  /** DDL applied after the migrations. */
  ddl: string[];
  /** 'update': outcome UPDATE on grants; 'outcome-row': INSERT into grant_outcomes; 'narrow': the floor's table. */
  outcome: 'update' | 'outcome-row' | 'narrow';
}

const VARIANTS: Variant[] = [
  {
    name: 'before migration 20261208100000 (access_key_id index, role_arn index)',
    ddl: [
      'CREATE INDEX grants_access_key_id_idx ON grants (access_key_id)',
      'CREATE INDEX grants_role_arn_created_at_id_idx ON grants (role_arn, created_at DESC, id DESC)',
      'DROP INDEX grants_role_name_created_at_id_arn_idx',
    ],
    outcome: 'update',
  },
  { name: 'as migrated now (no access_key_id index; role-name index replaces the role_arn one)', ddl: [], outcome: 'update' },
  { name: 'as migrated, without the FK to users', ddl: ['ALTER TABLE grants DROP CONSTRAINT grants_user_id_fkey'], outcome: 'update' },
  {
    name: 'as migrated, HOT outcome update: status and pending indexes dropped, fillfactor 80',
    ddl: ['DROP INDEX grants_status_created_at_id_idx', 'DROP INDEX grants_pending_created_at_idx', 'ALTER TABLE grants SET (fillfactor = 80)'],
    outcome: 'update',
  },
  {
    name: 'as migrated, append-only outcome row (grant_outcomes: PK + status index) instead of the UPDATE',
    ddl: [
      `CREATE TABLE grant_outcomes (grant_id uuid PRIMARY KEY, grant_created_at timestamptz(3) NOT NULL, status "GrantStatus" NOT NULL,
         sts_request_id text, access_key_id text, expires_at timestamptz(3), error text, created_at timestamptz(3) NOT NULL DEFAULT now())`,
      'CREATE INDEX grant_outcomes_status_idx ON grant_outcomes (status, grant_created_at DESC, grant_id DESC)',
    ],
    outcome: 'outcome-row',
  },
  {
    name: 'floor: narrow row, primary key only',
    ddl: [
      'CREATE TABLE bench_floor_grants (id uuid PRIMARY KEY, user_id uuid NOT NULL, kind text NOT NULL, status text NOT NULL, access_key_id text, expires_at timestamptz)',
    ],
    outcome: 'narrow',
  },
];

/** utime + stime (ms) of the postmaster and its children, living (their own) and exited (the postmaster's cutime + cstime). */
async function postgresCpuMs(postmasterPid: number): Promise<number> {
  const tick = 1000 / 100; // USER_HZ
  let total = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(name);
    if (pid !== postmasterPid && Number(f[1]) !== postmasterPid) continue;
    total += (Number(f[11]) + Number(f[12])) * tick;
    if (pid === postmasterPid) total += (Number(f[13]) + Number(f[14])) * tick;
  }
  return total;
}

const INSERT = `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn,
  role_session_name, source_identity, kind, duration_seconds, reason, status, client_ip, user_agent, error)
  VALUES ($1, $2, $3, $4, 'oidc', $5, $6, '111111111111', 'arn:aws:iam::111111111111:role/Developer', $3, $3, 'console', 3600, NULL, 'pending', '10.0.0.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36', NULL) RETURNING created_at`;

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-grant-table-'));
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  const postmasterPid = Number((await readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const pools: PgPool[] = [];
  try {
    const dbs: { v: Variant; pool: PgPool; users: string[] }[] = [];
    for (const [i, v] of VARIANTS.entries()) {
      const name = `grant_table_${i}`;
      await server.createDatabase(name);
      const url = server.urlFor(name);
      await applyMigrations(url, MIGRATIONS_DIR);
      const pool = new pg.Pool({ connectionString: url, max: WORKERS + 2 });
      pool.on('error', () => {}); // an idle connection ended by the server's shutdown
      pools.push(pool);
      const users: string[] = [];
      for (let u = 0; u < USERS; u++) {
        const id = randomUUID();
        await pool.query(
          `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups) VALUES ($1, 'oidc', 'https://idp', $2, $3, 'U', '{engineers}')`,
          [id, `u${u}`, `u${u}@example.com`],
        );
        users.push(id);
      }
      // Prefill: realistic index depth (rows spread over a year, a tenth of them recent).
      await pool.query(
        `INSERT INTO grants (id, created_at, updated_at, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn, role_session_name, source_identity, kind, duration_seconds, status, access_key_id, sts_request_id, client_ip, user_agent)
         SELECT gen_random_uuid(), now() - (i * interval '100 seconds'), now(), $1, 'u0@example.com', 'u0', 'oidc', '{engineers}', gen_random_uuid(), lpad((i % 50)::text, 12, '1'),
           'arn:aws:iam::' || lpad((i % 50)::text, 12, '1') || ':role/Role' || (i % 7), 'u0', 'u0', 'console', 3600, 'issued', 'ASIA' || upper(substr(md5(i::text), 1, 16)), md5(i::text), '10.0.0.1', 'Mozilla/5.0'
         FROM generate_series(1, ${PREFILL}) AS i`,
        [users[0]],
      );
      for (const sql of v.ddl) await pool.query(sql);
      await pool.query('VACUUM ANALYZE');
      await pool.query('CHECKPOINT');
      dbs.push({ v, pool, users });
      log(`prepared: ${v.name}`);
    }

    const results = new Map<Variant, { rps: number[]; walPerGrant: number[]; cpuMsPerGrant: number[]; hot: number[] }>();
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? dbs : [...dbs].reverse();
      for (const { v, pool, users } of order) {
        const wal0 = ((await pool.query(`SELECT pg_current_wal_lsn() AS l`)).rows[0] as { l: string }).l;
        const upd0 = ((await pool.query(`SELECT n_tup_upd::bigint AS u, n_tup_hot_upd::bigint AS h FROM pg_stat_user_tables WHERE relname = 'grants'`))
          .rows[0] ?? { u: 0, h: 0 }) as { u: string; h: string };
        const cpu0 = await postgresCpuMs(postmasterPid);
        let done = 0;
        const end = performance.now() + DURATION * 1000;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: WORKERS }, async (_, w) => {
            for (let k = 0; performance.now() < end; k++) {
              const id = randomUUID();
              const user = users[(w + k) % users.length]!;
              if (v.outcome === 'narrow') {
                await pool.query(`INSERT INTO bench_floor_grants (id, user_id, kind, status) VALUES ($1, $2, 'console', 'pending')`, [id, user]);
                await pool.query(`UPDATE bench_floor_grants SET status = 'issued', access_key_id = $2, expires_at = $3 WHERE id = $1`, [
                  id,
                  `ASIA${k}`,
                  new Date(),
                ]);
              } else {
                const created = ((await pool.query(INSERT, [id, user, 'u@example.com', 'u', ['engineers'], randomUUID()])).rows[0] as { created_at: Date })
                  .created_at;
                if (v.outcome === 'update') {
                  await pool.query(
                    `UPDATE grants SET status = 'issued', sts_request_id = $2, access_key_id = $3, expires_at = $4, updated_at = now() WHERE id = $1 AND status = 'pending'`,
                    [id, `req-${k}`, `ASIA${w}X${k}`, new Date()],
                  );
                } else {
                  await pool.query(
                    `INSERT INTO grant_outcomes (grant_id, grant_created_at, status, sts_request_id, access_key_id, expires_at) VALUES ($1, $2, 'issued', $3, $4, $5)`,
                    [id, created, `req-${k}`, `ASIA${w}X${k}`, new Date()],
                  );
                }
              }
              done++;
            }
          }),
        );
        const seconds = (performance.now() - t0) / 1000;
        const cpu = (await postgresCpuMs(postmasterPid)) - cpu0;
        const wal = Number(((await pool.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d`, [wal0])).rows[0] as { d: string }).d);
        // Table statistics reach pg_stat_user_tables when backends report them (at most once a second).
        await new Promise((r) => setTimeout(r, 1200));
        const upd1 = (await pool.query(
          `SELECT pg_stat_force_next_flush(); SELECT n_tup_upd::bigint AS u, n_tup_hot_upd::bigint AS h FROM pg_stat_user_tables WHERE relname = 'grants'`,
        )) as unknown as { rows: Record<string, string>[] }[];
        const u1 = (upd1[1]!.rows[0] ?? { u: '0', h: '0' }) as { u: string; h: string };
        const updates = Number(u1.u) - Number(upd0.u);
        const r = results.get(v) ?? { rps: [], walPerGrant: [], cpuMsPerGrant: [], hot: [] };
        r.rps.push(done / seconds);
        r.walPerGrant.push(wal / done);
        r.cpuMsPerGrant.push(cpu / done);
        if (updates > 0) r.hot.push((Number(u1.h) - Number(upd0.h)) / updates);
        results.set(v, r);
        log(
          `round ${round}: ${v.name}: ${(done / seconds).toFixed(0)} grants/s, ${(wal / done).toFixed(0)} WAL bytes and ${(cpu / done).toFixed(2)} Postgres CPU ms per grant`,
        );
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;
    const floor = results.get(VARIANTS.at(-1)!)!;
    const lines = [
      `Command: \`pnpm exec tsx bench/grant-table.ts --workers=${WORKERS} --duration=${DURATION} --rounds=${ROUNDS} --prefill=${PREFILL} --users=${USERS}\` — ${new Date().toISOString()}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')}`,
      '',
      '| grant table variant | grants/s (median) | ÷ floor | WAL bytes / grant | Postgres CPU ms / grant | HOT updates |',
      '|---|---:|---:|---:|---:|---:|',
      ...VARIANTS.map((v) => {
        const r = results.get(v)!;
        return `| ${v.name} | ${med(r.rps).toFixed(0)} | ${(med(r.rps) / med(floor.rps)).toFixed(2)} | ${med(r.walPerGrant).toFixed(0)} | ${med(r.cpuMsPerGrant).toFixed(2)} | ${r.hot.length ? `${(100 * med(r.hot)).toFixed(0)} %` : '—'} |`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const p of pools) await p.end().catch(() => {});
    await server.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`grant-table: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
