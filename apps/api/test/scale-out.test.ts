import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@rolegate/db';
import { TestBrowser } from './support/http-client.js';
import { startRoundRobin } from './support/round-robin.js';
import { b64 } from './support/saml-idp.js';
import { postAcs } from './support/saml-stack.js';
import { createTestDatabase, startStack, type Stack } from './support/stack.js';

const GRANT_LIMIT = 4;
let stack: Stack;
let second: Awaited<ReturnType<Stack['startInstance']>>;
let lb: Awaited<ReturnType<typeof startRoundRobin>>;

beforeAll(async () => {
  stack = await startStack({ saml: 'test-idp', env: { RATE_LIMIT_GRANTS: String(GRANT_LIMIT) } });
  second = await stack.startInstance();
  lb = await startRoundRobin([stack.baseUrl, second.baseUrl]);
});
afterAll(async () => {
  await lb?.close();
  await stack?.close();
});

/** The same browser (same cookies and CSRF token) pointed at another origin. */
function sameBrowserAt(b: TestBrowser, baseUrl: string): TestBrowser {
  const moved = new TestBrowser(baseUrl);
  const cookies = b.jar.header();
  if (cookies) moved.jar.store(cookies.split('; '));
  moved.csrfToken = b.csrfToken;
  return moved;
}

async function developerId(b: TestBrowser): Promise<string> {
  const items: { id: string; roleName: string; accountId: string }[] = (await b.get('/api/entitlements')).json().items;
  return items.find((e) => e.roleName === 'Developer' && e.accountId === '111111111111')!.id;
}

describe('two instances on one Postgres', () => {
  it('a session made on one works on the other, and round-robin traffic never notices', async () => {
    const onFirst = await stack.signIn('alice');
    const onSecond = sameBrowserAt(onFirst, second.baseUrl);
    const me = await onSecond.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.json().user.email).toBe('alice@example.com');
    // The CSRF token issued by the first instance is accepted by the second (it lives in the session).
    const grant = await onSecond.post('/api/grants', { entitlementId: await developerId(onSecond), kind: 'cli' });
    expect(grant.status).toBe(201);

    const viaLb = sameBrowserAt(onFirst, lb.url);
    const before = [lb.served(stack.baseUrl), lb.served(second.baseUrl)];
    for (let i = 0; i < 6; i++) expect((await viaLb.get('/api/me')).status).toBe(200);
    expect(lb.served(stack.baseUrl) - before[0]!).toBe(3);
    expect(lb.served(second.baseUrl) - before[1]!).toBe(3);

    // Signing out on one instance ends the session there at once, and on the other as soon as
    // Postgres delivers the change notification (each instance caches sessions it has read).
    expect((await onSecond.post('/auth/logout')).status).toBe(204);
    expect((await sameBrowserAt(onFirst, second.baseUrl).get('/api/me')).status).toBe(401);
    await expect.poll(async () => (await onFirst.get('/api/me')).status, { timeout: 5000, interval: 10 }).toBe(401);
  });

  it('a sign-in begun on one instance completes on the other (the login transaction is in Postgres)', async () => {
    const b = second.browser();
    const start = await b.get('/auth/login?provider=saml');
    expect(start.status).toBe(302);
    const idp = stack.samlIdp!;
    const requestId = idp.requestIdOf(start.location!);
    const who = `scale-${randomBytes(4).toString('hex')}@example.com`;
    const response = b64(idp.responseXml({ inResponseTo: requestId, nameId: who, attributes: { email: [who], groups: ['engineers'] } }));
    const onFirst = sameBrowserAt(b, stack.baseUrl);
    const done = await postAcs(onFirst, response);
    expect(done.status).toBe(303);
    expect((await onFirst.get('/api/me')).json().user.email).toBe(who);

    // The same SAML Response replayed at the other instance is refused there.
    const replay = await postAcs(second.browser(), response);
    expect(replay.status).toBe(400);
    expect(replay.json().error.code).toBe('LOGIN_FAILED');
    const sessions = await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [who]);
    expect(sessions.rows[0].n).toBe(1);
  });

  it('rate limits hold across both instances: the budget is not doubled by the balancer', async () => {
    const bob = sameBrowserAt(await stack.signIn('bob'), lb.url);
    const id = await developerId(bob);
    const calls = stack.aws.countCalls('AssumeRole');
    const servedBefore = [lb.served(stack.baseUrl), lb.served(second.baseUrl)];
    const statuses: number[] = [];
    for (let i = 0; i < GRANT_LIMIT; i++) statuses.push((await bob.post('/api/grants', { entitlementId: id, kind: 'cli' })).status);
    expect(statuses).toEqual(Array(GRANT_LIMIT).fill(201));
    expect(lb.served(stack.baseUrl) - servedBefore[0]!).toBeGreaterThanOrEqual(2);
    expect(lb.served(second.baseUrl) - servedBefore[1]!).toBeGreaterThanOrEqual(2);

    for (const target of [stack.baseUrl, second.baseUrl]) {
      const res = await sameBrowserAt(bob, target).post('/api/grants', { entitlementId: id, kind: 'cli' });
      expect(res.status, target).toBe(429);
      expect(res.json().error.code).toBe('RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(stack.aws.countCalls('AssumeRole')).toBe(calls + GRANT_LIMIT);
    const rows = await stack.grantRows(`user_email = 'bob@example.com'`);
    expect(rows).toHaveLength(GRANT_LIMIT);
  });
});

describe('starting together', () => {
  it('two processes migrating one empty database at once apply each migration exactly once', { timeout: 90_000 }, async () => {
    const url = new URL(await createTestDatabase({ empty: true }));

    const script = `import { applyMigrations, MIGRATIONS_DIR } from '@rolegate/db';
      const r = await applyMigrations(process.env.TARGET_DATABASE_URL, MIGRATIONS_DIR);
      process.stdout.write(JSON.stringify(r));`;
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: import.meta.dirname,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TARGET_DATABASE_URL: url.toString() },
      });
    const results = (await Promise.all([run(), run()])).map((r) => JSON.parse(r.stdout) as { applied: string[]; alreadyApplied: number });

    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(names.length).toBeGreaterThan(1);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([...names].sort());
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    const rows = await c.query(`SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL GROUP BY 1`);
    await c.end();
    expect(rows.rows).toHaveLength(names.length);
    expect(rows.rows.every((r) => r.n === 1)).toBe(true);
  });
});
