/**
 * The grant-path benchmark: Rolegate and the bare baseline, each in its own
 * process, against one embedded Postgres and one AWS emulator process, loaded
 * by autocannon from this process.
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
import type { BaselineConfig } from './baseline.js';
import { startChild, type BenchChild } from './child.js';
import { runLoad, type LoadResult } from './load.js';
import type { RolegateServerConfig } from './rolegate-server.js';
import type { ServerStats } from './trace.js';
import type { UpstreamsConfig } from './upstreams.js';

export interface GrantPathOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Duration of the single-connection (unloaded) overhead runs. */
  quietSeconds: number;
  /** Rounds of the four throughput runs (Rolegate and baseline, cli and console), interleaved. */
  rounds: number;
  log: (line: string) => void;
}

export interface RunResult {
  load: LoadResult;
  server: ServerStats;
}

export interface GrantPathResults {
  /** The median round's run (by throughput) of each series. */
  rolegate: { cli: RunResult; console: RunResult };
  baseline: { cli: RunResult; console: RunResult };
  /** Rolegate's throughput as a percentage of the baseline's in the same round, per round. */
  ratios: { cli: number[]; console: number[] };
  /** Traced runs: per-request overhead at full load and with one connection. */
  traced: {
    cli: RunResult;
    console: RunResult;
    cliQuiet: RunResult;
    consoleQuiet: RunResult;
    baselineCli: RunResult;
    baselineConsole: RunResult;
    baselineCliQuiet: RunResult;
    baselineConsoleQuiet: RunResult;
  };
  awsCalls: Record<string, number>;
}

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
 * The fallback when the IdP sign-in fails (the dev IdP or the OIDC code may be
 * mid-change): writes a signed-in session straight into the session table,
 * as the session store would, and signs the cookie as express-session does.
 */
async function directSession(baseUrl: string, databaseUrl: string, secret: string, issuer: string) {
  const database = createDatabase({ url: databaseUrl, max: 2 });
  try {
    const who = { idp: 'oidc' as const, issuer, subject: 'bench-alice', email: 'alice@example.com', displayName: 'Alice (bench)', groups: ['engineers'] };
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
    await direct.close();

    const [rolegatePort, baselinePort] = [await freePort(), await freePort()];
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
    const rolegate = await startChild('rolegate-server.ts', rolegateCfg);
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
    opts.log(`signed in as ${session.user.email}; entitlement ${ent.roleArn}`);

    const baselineCfg: BaselineConfig = {
      port: baselinePort,
      databaseUrl,
      stsUrl: up.stsUrl,
      federationUrl: up.federationUrl,
      brokerCredentials,
      user: session.user,
      mapping: { id: ent.id, accountId: ent.accountId, roleArn: ent.roleArn },
    };
    const baseline = await startChild('baseline.ts', baselineCfg);
    children.push(baseline);

    const rolegateLoad = (kind: 'cli' | 'console', connections: number, durationSeconds: number) =>
      runLoad({
        url: `${publicUrl}/api/grants`,
        connections,
        durationSeconds,
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'user-agent': 'rolegate-bench' },
        body: JSON.stringify({ entitlementId: ent.id, kind, durationSeconds: 3600 }),
      });
    const baselineLoad = (kind: 'cli' | 'console', connections: number, durationSeconds: number) =>
      runLoad({
        url: `http://127.0.0.1:${baselinePort}/grant`,
        connections,
        durationSeconds,
        headers: { 'user-agent': 'rolegate-bench' },
        body: JSON.stringify({ kind }),
      });

    async function measure(name: string, server: BenchChild, load: () => Promise<LoadResult>, trace: boolean | 'sequential'): Promise<RunResult> {
      await server.call('reset', trace);
      const result = await load();
      const stats = await server.call<ServerStats>('stats');
      opts.log(
        `${name}: ${result.requestsPerSecond.toFixed(0)} grants/s, p50 ${result.latencyP50} ms, p99 ${result.latencyP99} ms` +
          (trace ? `, overhead p50 ${stats.overheadMs.p50.toFixed(2)} p99 ${stats.overheadMs.p99.toFixed(2)} ms` : '') +
          (result.non2xx || result.errors ? ` (non-2xx ${result.non2xx}, errors ${result.errors})` : ''),
      );
      await sleep(500);
      return { load: result, server: stats };
    }

    opts.log(`warm-up ${opts.warmupSeconds} s each`);
    for (const kind of ['cli', 'console'] as const) {
      await rolegateLoad(kind, opts.connections, opts.warmupSeconds);
      await baselineLoad(kind, opts.connections, opts.warmupSeconds);
    }
    await upstreams.call('calls');

    const n = opts.connections;
    const d = opts.durationSeconds;
    // Interleaved rounds: a noisy minute on a shared machine hits both sides, and the median round is reported.
    const series = { rolegateCli: [] as RunResult[], baselineCli: [] as RunResult[], rolegateConsole: [] as RunResult[], baselineConsole: [] as RunResult[] };
    for (let round = 1; round <= opts.rounds; round++) {
      const tag = opts.rounds > 1 ? ` (round ${round}/${opts.rounds})` : '';
      series.rolegateCli.push(await measure(`rolegate cli c=${n}${tag}`, rolegate, () => rolegateLoad('cli', n, d), false));
      series.baselineCli.push(await measure(`baseline cli c=${n}${tag}`, baseline, () => baselineLoad('cli', n, d), false));
      series.rolegateConsole.push(await measure(`rolegate console c=${n}${tag}`, rolegate, () => rolegateLoad('console', n, d), false));
      series.baselineConsole.push(await measure(`baseline console c=${n}${tag}`, baseline, () => baselineLoad('console', n, d), false));
    }
    const rps = (r: RunResult) => r.load.requestsPerSecond;
    const median = (runs: RunResult[]) => [...runs].sort((a, b) => rps(a) - rps(b))[Math.floor((runs.length - 1) / 2)]!;
    const ratios = {
      cli: series.rolegateCli.map((r, i) => (100 * rps(r)) / rps(series.baselineCli[i]!)),
      console: series.rolegateConsole.map((r, i) => (100 * rps(r)) / rps(series.baselineConsole[i]!)),
    };
    const [rolegateCli, baselineCli, rolegateConsole, baselineConsole] = [
      median(series.rolegateCli),
      median(series.baselineCli),
      median(series.rolegateConsole),
      median(series.baselineConsole),
    ];
    const awsCalls = await upstreams.call<Record<string, number>>('calls');
    const tracedCli = await measure(`rolegate cli c=${n} traced`, rolegate, () => rolegateLoad('cli', n, d), true);
    const tracedConsole = await measure(`rolegate console c=${n} traced`, rolegate, () => rolegateLoad('console', n, d), true);
    // The same for the baseline: at this load most of the "overhead" is waiting for a CPU.
    const baselineCliTraced = await measure(`baseline cli c=${n} traced`, baseline, () => baselineLoad('cli', n, d), true);
    const baselineConsoleTraced = await measure(`baseline console c=${n} traced`, baseline, () => baselineLoad('console', n, d), true);
    const q = opts.quietSeconds;
    const cliQuiet = await measure('rolegate cli c=1 traced', rolegate, () => rolegateLoad('cli', 1, q), 'sequential');
    const consoleQuiet = await measure('rolegate console c=1 traced', rolegate, () => rolegateLoad('console', 1, q), 'sequential');
    // The floor: the baseline's own overhead (its two durable writes) with one client.
    const baselineCliQuiet = await measure('baseline cli c=1 traced', baseline, () => baselineLoad('cli', 1, q), 'sequential');
    const baselineConsoleQuiet = await measure('baseline console c=1 traced', baseline, () => baselineLoad('console', 1, q), 'sequential');
    await rolegate.call('reset', false);

    return {
      rolegate: { cli: rolegateCli, console: rolegateConsole },
      baseline: { cli: baselineCli, console: baselineConsole },
      ratios,
      traced: {
        cli: tracedCli,
        console: tracedConsole,
        cliQuiet,
        consoleQuiet,
        baselineCli: baselineCliTraced,
        baselineConsole: baselineConsoleTraced,
        baselineCliQuiet,
        baselineConsoleQuiet,
      },
      awsCalls,
    };
  } finally {
    for (const c of children.reverse()) await c.stop();
    await pgServer.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
