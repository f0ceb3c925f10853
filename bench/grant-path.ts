/**
 * The grant-path benchmark: Rolegate, the baseline (bare route, real grant
 * table) and the floor (bare route, narrow table), each in its own process,
 * against one embedded Postgres and one AWS emulator process, loaded by
 * autocannon (50 clients) and a timed one-client loop from this process.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CookieJar, signInByHttp } from '../packages/dev-idp/src/index.js';
import {
  applyMigrations,
  createDatabase,
  createMappingRepository,
  createSessionRepository,
  createUserRepository,
  freePort,
  MIGRATIONS_DIR,
  startEmbeddedPostgres,
} from '../packages/db/src/index.js';
import { PostgresSessionStore } from '../apps/api/src/auth/session-store.js';
import { DEMO_MAPPINGS_FILE } from '../apps/api/src/demo.js';
import { parseMappingsYaml, toDeclared } from '../apps/api/src/mappings-file.js';
import type { BaselineConfig, BenchUser } from './baseline.js';
import { startChild, type BenchChild } from './child.js';
import { runLoad, runSequential, type LoadOptions, type LoadResult, type SequentialResult } from './load.js';
import type { RolegateServerConfig } from './rolegate-server.js';
import type { ServerStats } from './trace.js';
import type { UpstreamsConfig } from './upstreams.js';

export interface GrantPathOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Duration of each one-client run. */
  quietSeconds: number;
  /** Rounds of the interleaved runs (every server, kind and user mix once per round). */
  rounds: number;
  /** Distinct users of the "many users" runs. */
  distinctUsers: number;
  /** Also run the traced (per-request overhead) runs. */
  traced: boolean;
  log: (line: string) => void;
}

export interface RunResult {
  load: LoadResult;
  server: ServerStats;
}

export interface OneClientResult {
  load: SequentialResult;
  server: ServerStats;
}

export type ServerName = 'rolegate' | 'baseline' | 'floor';
export type Kind = 'cli' | 'console';
export type Users = 'hot' | 'many';
export const SERVERS: readonly ServerName[] = ['rolegate', 'baseline', 'floor'];
export const KINDS: readonly Kind[] = ['console', 'cli'];
export const USER_MIXES: readonly Users[] = ['hot', 'many'];
export const key = (kind: Kind, users: Users) => `${kind}/${users}` as const;
export type SeriesKey = ReturnType<typeof key>;

export interface GrantPathResults {
  /** Every 50-client run, per series and server, in round order. */
  rounds: Record<SeriesKey, Record<ServerName, RunResult[]>>;
  /** One-client runs (hot user), per kind and server, in round order. */
  oneClient: Record<Kind, Record<ServerName, OneClientResult[]>>;
  /** Traced runs (overhead = wall time minus the AWS round trips), when asked for. */
  traced: { name: string; result: RunResult }[];
  awsCalls: Record<string, number>;
  distinctUsers: number;
}

/** The narrow table of the floor: only a primary key. */
const FLOOR_TABLE_SQL = `CREATE TABLE IF NOT EXISTS bench_floor_grants (
  id uuid PRIMARY KEY, user_id uuid NOT NULL, kind text NOT NULL, status text NOT NULL, access_key_id text, expires_at timestamptz)`;

const BROKER_ARN = 'arn:aws:iam::000000000000:user/rolegate-broker';

/** Signs `username` in through the dev IdP over HTTP; returns the Cookie header and the CSRF token. */
async function signIn(baseUrl: string, username: string, password: string) {
  const jar = new CookieJar();
  const get = async (url: string) => {
    const cookie = jar.header();
    const res = await fetch(url, { redirect: 'manual', headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) } });
    jar.store(res.headers.getSetCookie());
    return res;
  };
  const start = await get(`${baseUrl}/auth/login?provider=oidc&returnTo=/`);
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`login did not redirect: ${start.status}`);
  const callback = await signInByHttp(location, username, password);
  const done = await get(callback);
  if (done.status !== 303) throw new Error(`callback failed: ${done.status} ${await done.text()}`);
  return sessionInfo(baseUrl, jar.header()!);
}

/**
 * Writes a signed-in session straight into the session table, as the session
 * store would, and signs the cookie as express-session does: the fallback
 * when the IdP sign-in fails (the dev IdP or the OIDC code may be mid-change),
 * and how the 200 distinct bench users get their sessions.
 */
async function directSession(baseUrl: string, databaseUrl: string, secret: string, issuer: string, n = 0) {
  const database = createDatabase({ url: databaseUrl, max: 2 });
  try {
    const who =
      n === 0
        ? { idp: 'oidc' as const, issuer, subject: 'bench-alice', email: 'alice@example.com', displayName: 'Alice (bench)', groups: ['engineers'] }
        : {
            idp: 'oidc' as const,
            issuer,
            subject: `bench-user-${n}`,
            email: `bench-user-${n}@example.com`,
            displayName: `Bench user ${n}`,
            groups: ['engineers'],
          };
    const userId = await createUserRepository(database.prisma).upsertOnSignIn(who);
    const ttlSeconds = 8 * 3600;
    const store = new PostgresSessionStore(createSessionRepository(database), secret, ttlSeconds);
    const sid = randomBytes(24).toString('base64url');
    const data = {
      cookie: {
        originalMaxAge: ttlSeconds * 1000,
        expires: new Date(Date.now() + ttlSeconds * 1000),
        httpOnly: true,
        path: '/',
        sameSite: 'lax',
        secure: false,
      },
      principal: { userId, email: who.email, displayName: who.displayName, subject: who.subject, idp: who.idp, groups: who.groups },
      signedInAt: new Date().toISOString(),
    };
    await new Promise<void>((resolve, reject) => store.set(sid, data as never, (err) => (err ? reject(err as Error) : resolve())));
    const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
    return await sessionInfo(baseUrl, `rolegate.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`);
  } finally {
    await database.close();
  }
}

/** The CSRF token, user and entitlements of a signed-in session. */
async function sessionInfo(baseUrl: string, cookie: string) {
  const get = (url: string) => fetch(url, { headers: { accept: 'application/json', cookie } });
  const me = await get(`${baseUrl}/api/me`);
  if (me.status !== 200) throw new Error(`/api/me answered ${me.status}`);
  const body = (await me.json()) as { csrfToken: string; user: { id: string; email: string; subject: string; groups: string[] } };
  const ents = (await (await get(`${baseUrl}/api/entitlements`)).json()) as {
    items: { id: string; accountId: string; roleArn: string; requireReason: boolean }[];
  };
  return { cookie, csrfToken: body.csrfToken, user: body.user, entitlements: ents.items };
}

/** Runs the whole grant-path comparison and stops everything it started. */
export async function benchGrantPath(opts: GrantPathOptions): Promise<GrantPathResults> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-bench-'));
  // Postgres runs as the `postgres` user when we are root; it must reach the folder.
  await chmod(dir, 0o755);
  const children: BenchChild[] = [];
  const pgServer = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  try {
    await pgServer.createDatabase('rolegate_bench');
    const databaseUrl = pgServer.urlFor('rolegate_bench');
    await applyMigrations(databaseUrl, MIGRATIONS_DIR);
    const doc = parseMappingsYaml(await readFile(DEMO_MAPPINGS_FILE, 'utf8'));
    const direct = createDatabase({ url: databaseUrl, max: 2 });
    await createMappingRepository(direct).applyDeclared(toDeclared(doc));
    await direct.pool.query(FLOOR_TABLE_SQL);
    await direct.close();

    const [rolegatePort, baselinePort, floorPort] = [await freePort(), await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${rolegatePort}`;
    const brokerCredentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
    const client = { clientId: 'rolegate-bench', clientSecret: randomBytes(24).toString('base64url'), redirectUri: `${publicUrl}/auth/oidc/callback` };
    const upstreamsCfg: UpstreamsConfig = { brokerArn: BROKER_ARN, brokerCredentials, roleArns: [...new Set(doc.mappings.map((m) => m.roleArn))], client };
    const upstreams = await startChild('upstreams.ts', upstreamsCfg);
    children.push(upstreams);
    const up = upstreams.ready as { stsUrl: string; federationUrl: string; issuer: string; users: { username: string; password: string }[] };

    const rolegateCfg: RolegateServerConfig = {
      port: rolegatePort,
      brokerCredentials,
      logFile: path.join(dir, 'rolegate.log'),
      env: {
        PUBLIC_URL: publicUrl,
        ROLEGATE_DEMO: '0',
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        DATABASE_URL: databaseUrl,
        OIDC_ISSUER: up.issuer,
        OIDC_CLIENT_ID: client.clientId,
        OIDC_CLIENT_SECRET: client.clientSecret,
        OIDC_SCOPES: 'openid email profile groups',
        AWS_ENDPOINT_URL_STS: up.stsUrl,
        FEDERATION_URL: up.federationUrl,
        LOG_LEVEL: 'info',
        // The default per-user grant limit (a few a minute) is for people; one bench user sends thousands.
        RATE_LIMIT_GRANTS: '1000000000',
      },
    };
    const rolegate = await startChild('rolegate-server.ts', rolegateCfg, { compiled: true });
    children.push(rolegate);

    const alice = up.users.find((u) => u.username === 'alice')!;
    let session: Awaited<ReturnType<typeof signIn>> | null = null;
    for (let attempt = 1; !session; attempt++) {
      session = await signIn(publicUrl, alice.username, alice.password).catch(async (err: Error) => {
        const tail = (await readFile(rolegateCfg.logFile, 'utf8').catch(() => '')).split('\n').slice(-4).join('\n');
        if (attempt < 2) {
          opts.log(`sign-in attempt ${attempt} failed (${err.message}); retrying`);
          return null;
        }
        opts.log(`sign-in through the dev IdP failed twice (${err.message}; log: ${tail}); writing the session directly`);
        return directSession(publicUrl, databaseUrl, rolegateCfg.env.SESSION_SECRET!, up.issuer);
      });
    }
    const ent = session.entitlements.find((e) => !e.requireReason);
    if (!ent) throw new Error('alice has no entitlement without a required reason');
    opts.log(`signed in as ${session.user.email}; entitlement ${ent.roleArn}; writing ${opts.distinctUsers} more sessions`);
    const many: Awaited<ReturnType<typeof signIn>>[] = [];
    for (let i = 1; i <= opts.distinctUsers; i++) {
      many.push(await directSession(publicUrl, databaseUrl, rolegateCfg.env.SESSION_SECRET!, up.issuer, i));
    }
    if (many.some((m) => !m.entitlements.some((e) => e.id === ent.id))) throw new Error('a bench user lacks the entitlement');

    const users: BenchUser[] = [session.user, ...many.map((m) => m.user)];
    const childCfg = (port: number, table: BaselineConfig['table']): BaselineConfig => ({
      port,
      databaseUrl,
      stsUrl: up.stsUrl,
      federationUrl: up.federationUrl,
      brokerCredentials,
      users,
      mapping: { id: ent.id, accountId: ent.accountId, roleArn: ent.roleArn },
      table,
    });
    const baseline = await startChild('baseline.ts', childCfg(baselinePort, 'grants'), { compiled: true });
    children.push(baseline);
    const floor = await startChild('baseline.ts', childCfg(floorPort, 'narrow'), { compiled: true });
    children.push(floor);
    const servers: Record<ServerName, BenchChild> = { rolegate, baseline, floor };

    /** The load options of one server, kind and user mix. */
    function loadOf(server: ServerName, kind: Kind, mix: Users, connections: number, durationSeconds: number): LoadOptions {
      if (server === 'rolegate') {
        const body = JSON.stringify({ entitlementId: ent!.id, kind, durationSeconds: 3600 });
        return {
          url: `${publicUrl}/api/grants`,
          connections,
          durationSeconds,
          headers: { cookie: session!.cookie, 'x-csrf-token': session!.csrfToken, 'user-agent': 'rolegate-bench' },
          body,
          ...(mix === 'many' ? { variants: many.map((m) => ({ headers: { cookie: m.cookie, 'x-csrf-token': m.csrfToken }, body })) } : {}),
        };
      }
      const port = server === 'baseline' ? baselinePort : floorPort;
      return {
        url: `http://127.0.0.1:${port}/grant`,
        connections,
        durationSeconds,
        headers: { 'user-agent': 'rolegate-bench' },
        body: JSON.stringify({ kind, user: 0 }),
        ...(mix === 'many' ? { variants: many.map((_, i) => ({ headers: {}, body: JSON.stringify({ kind, user: i + 1 }) })) } : {}),
      };
    }

    async function measure(name: string, server: ServerName, load: LoadOptions, trace: boolean | 'sequential' = false): Promise<RunResult> {
      await servers[server].call('reset', trace);
      const result = await runLoad(load);
      const stats = await servers[server].call<ServerStats>('stats');
      opts.log(
        `${name}: ${result.requestsPerSecond.toFixed(0)} grants/s, p50 ${result.latencyP50} ms, p99 ${result.latencyP99} ms, ` +
          `${stats.cpuMsPerRequest?.toFixed(2)} CPU ms and ${stats.queriesPerRequest?.toFixed(2)} statements per grant` +
          (trace ? `, overhead p50 ${stats.overheadMs.p50.toFixed(2)} p99 ${stats.overheadMs.p99.toFixed(2)} ms` : '') +
          (result.non2xx || result.errors ? ` (non-2xx ${result.non2xx}, errors ${result.errors})` : ''),
      );
      await sleep(300);
      return { load: result, server: stats };
    }

    async function measureOne(name: string, server: ServerName, load: LoadOptions): Promise<OneClientResult> {
      await servers[server].call('reset', false);
      const result = await runSequential(load);
      const stats = await servers[server].call<ServerStats>('stats');
      opts.log(
        `${name}: p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms (${result.ok} grants${result.failed ? `, ${result.failed} failed` : ''})`,
      );
      await sleep(300);
      return { load: result, server: stats };
    }

    opts.log(`warm-up ${opts.warmupSeconds} s each`);
    for (const server of SERVERS) {
      for (const kind of KINDS) {
        for (const mix of USER_MIXES) await runLoad(loadOf(server, kind, mix, opts.connections, opts.warmupSeconds / 2));
      }
    }
    await upstreams.call('calls');

    const n = opts.connections;
    const d = opts.durationSeconds;
    const rounds = {} as GrantPathResults['rounds'];
    for (const kind of KINDS) for (const mix of USER_MIXES) rounds[key(kind, mix)] = { rolegate: [], baseline: [], floor: [] };
    const oneClient = {} as GrantPathResults['oneClient'];
    for (const kind of KINDS) oneClient[kind] = { rolegate: [], baseline: [], floor: [] };
    // Interleaved rounds: a noisy minute on a shared machine hits every server; the order rotates each round.
    for (let round = 1; round <= opts.rounds; round++) {
      const tag = opts.rounds > 1 ? ` (round ${round}/${opts.rounds})` : '';
      const order = SERVERS.map((_, i) => SERVERS[(i + round - 1) % SERVERS.length]!);
      for (const kind of KINDS) {
        for (const mix of USER_MIXES) {
          for (const server of order) {
            rounds[key(kind, mix)][server].push(
              await measure(
                `${server} ${kind} ${mix === 'hot' ? '1 user' : `${opts.distinctUsers} users`} c=${n}${tag}`,
                server,
                loadOf(server, kind, mix, n, d),
              ),
            );
          }
        }
        for (const server of order) {
          oneClient[kind][server].push(await measureOne(`${server} ${kind} 1 client${tag}`, server, loadOf(server, kind, 'hot', 1, opts.quietSeconds)));
        }
      }
    }
    const awsCalls = await upstreams.call<Record<string, number>>('calls');

    const traced: GrantPathResults['traced'] = [];
    if (opts.traced) {
      for (const kind of KINDS) {
        for (const server of ['rolegate', 'floor'] as const) {
          traced.push({
            name: `${server} ${kind} c=${n}, traced`,
            result: await measure(`${server} ${kind} c=${n} traced`, server, loadOf(server, kind, 'hot', n, d), true),
          });
          traced.push({
            name: `${server} ${kind} 1 client, traced`,
            result: await measure(`${server} ${kind} c=1 traced`, server, loadOf(server, kind, 'hot', 1, opts.quietSeconds), 'sequential'),
          });
        }
      }
      await rolegate.call('reset', false);
    }
    return { rounds, oneClient, traced, awsCalls, distinctUsers: opts.distinctUsers };
  } finally {
    for (const c of children.reverse()) await c.stop();
    await pgServer.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
