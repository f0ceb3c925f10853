import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimitRepository } from '@rolegate/db';
import { loadConfig } from '../src/config.js';
import { PostgresRateLimitStore, retryAfterSeconds } from '../src/middleware/rate-limit.js';
import type { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

const SIGNIN_LIMIT = 4;
const GRANT_LIMIT = 2;

let stack: Stack;
let second: Awaited<ReturnType<Stack['startInstance']>>;
let alice: TestBrowser;
let bob: TestBrowser;
let developerId: string;

beforeAll(async () => {
  stack = await startStack({ env: { RATE_LIMIT_SIGNIN: String(SIGNIN_LIMIT), RATE_LIMIT_GRANTS: String(GRANT_LIMIT) } });
  second = await stack.startInstance();
  // Two sign-ins: 2 of the 4 logins and 2 of the 4 callbacks of 127.0.0.1 are used.
  alice = await stack.signIn('alice');
  bob = await stack.signIn('bob');
  developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

/** The same signed-in browser, talking to the second instance. */
function onSecond(b: TestBrowser): TestBrowser {
  const copy = second.browser();
  copy.jar.store(b.jar.header()!.split('; '));
  copy.csrfToken = b.csrfToken;
  return copy;
}

function expectLimited(res: { status: number; headers: Headers; json(): any }) {
  expect(res.status).toBe(429);
  expect(res.json().error.code).toBe('RATE_LIMITED');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

const count = async (table: string) => (await stack.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('limits shared by two instances on one database', () => {
  it('limits /auth/login per IP across instances: 429 with Retry-After, no sign-in started', async () => {
    const a = stack.browser();
    const b = second.browser();
    expect((await a.get('/auth/login?provider=oidc')).status).toBe(302);
    expect((await b.get('/auth/login?provider=oidc')).status).toBe(302);
    const before = await count('login_transactions');
    expectLimited(await b.get('/auth/login?provider=oidc'));
    expectLimited(await a.get('/auth/login?provider=oidc'));
    expect(await count('login_transactions')).toBe(before);
  });

  it('limits the OIDC callback and the SAML ACS per IP', async () => {
    // Two callbacks were used by the sign-ins in beforeAll.
    expect((await stack.browser().get('/auth/oidc/callback?state=x&code=y')).status).toBe(400);
    expect((await second.browser().get('/auth/oidc/callback?state=x&code=y')).status).toBe(400);
    expectLimited(await stack.browser().get('/auth/oidc/callback?state=x&code=y'));
    for (let i = 0; i < SIGNIN_LIMIT; i++) {
      const res = await (i % 2 ? second : stack)
        .browser()
        .request('POST', '/auth/saml/acs', { body: 'SAMLResponse=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).not.toBe(429);
    }
    expectLimited(
      await second.browser().request('POST', '/auth/saml/acs', { body: 'SAMLResponse=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
  });

  it('limits grants per user across instances and the deep link; other users keep their budget', async () => {
    const calls = stack.aws.countCalls('AssumeRole');
    const rows = await count('grants');
    expect((await alice.post('/api/grants', { entitlementId: developerId, kind: 'cli' })).status).toBe(201);
    expect((await onSecond(alice).post('/api/grants', { entitlementId: developerId, kind: 'cli' })).status).toBe(201);
    expectLimited(await onSecond(alice).post('/api/grants', { entitlementId: developerId, kind: 'cli' }));
    expectLimited(await alice.post('/api/grants', { entitlementId: developerId, kind: 'cli' }));
    expectLimited(await alice.get('/console/111111111111/Developer'));
    expect(stack.aws.countCalls('AssumeRole')).toBe(calls + 2);
    expect(await count('grants')).toBe(rows + 2);

    const bobs = await bob.post('/api/grants', { entitlementId: (await bob.get('/api/entitlements')).json().items[0].id, kind: 'cli' });
    expect(bobs.status).toBe(201);
  });

  it('lets a user through again once the window has ended', async () => {
    expectLimited(await alice.post('/api/grants', { entitlementId: developerId, kind: 'cli' }));
    // End the window without waiting for it: the counters are rows in Postgres.
    await stack.sql.query(`UPDATE rate_limit_hits SET reset_at = now() - interval '1 second' WHERE key LIKE 'grants:user:%'`);
    expect((await alice.post('/api/grants', { entitlementId: developerId, kind: 'cli' })).status).toBe(201);
  });

  it('raised no express-rate-limit configuration warning', () => {
    expect(stack.logLines.filter((l) => /ERR_ERL_|express-rate-limit/.test(l))).toEqual([]);
  });
});

describe('PostgresRateLimitStore', () => {
  it('counts concurrent hits from two instances without losing any', async () => {
    const s1 = new PostgresRateLimitStore(createRateLimitRepository(stack.sql), 'test:');
    const s2 = new PostgresRateLimitStore(createRateLimitRepository(stack.database.relaxedPool), 'test:');
    const hits = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? s1 : s2).increment('concurrent')));
    expect(hits.map((h) => h.totalHits).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // One fixed window: every hit reports the same reset time.
    expect(new Set(hits.map((h) => h.resetTime!.getTime())).size).toBe(1);
    expect(await s2.get('concurrent')).toEqual({ totalHits: 30, resetTime: hits[0]!.resetTime });
  });

  it('decrements, resets, restarts an ended window and purges ended windows', async () => {
    const repo = createRateLimitRepository(stack.sql);
    const store = new PostgresRateLimitStore(repo, 'unit:');
    await store.increment('k');
    await store.increment('k');
    await store.decrement('k');
    expect((await store.get('k'))!.totalHits).toBe(1);
    await store.resetKey('k');
    expect(await store.get('k')).toBeUndefined();

    await store.increment('old');
    await store.increment('old');
    await stack.sql.query(`UPDATE rate_limit_hits SET reset_at = now() - interval '1 second' WHERE key = 'unit:old'`);
    expect(await store.get('old')).toBeUndefined();
    const restarted = await store.increment('old');
    expect(restarted.totalHits).toBe(1);
    expect(restarted.resetTime!.getTime()).toBeGreaterThan(Date.now() - 5_000);

    await store.increment('gone');
    await stack.sql.query(`UPDATE rate_limit_hits SET reset_at = now() - interval '1 second' WHERE key = 'unit:gone'`);
    expect(await repo.purgeExpired()).toBeGreaterThanOrEqual(1);
    const left = await stack.sql.query(`SELECT key FROM rate_limit_hits WHERE key LIKE 'unit:%'`);
    expect(left.rows.map((r) => r.key)).toEqual(['unit:old']);
  });

  it('computes Retry-After in whole seconds, at least 1', () => {
    expect(retryAfterSeconds(new Date(10_500), 10_000, 60_000)).toBe(1);
    expect(retryAfterSeconds(new Date(40_001), 10_000, 60_000)).toBe(31);
    expect(retryAfterSeconds(new Date(9_000), 10_000, 60_000)).toBe(1);
    expect(retryAfterSeconds(undefined, 10_000, 60_000)).toBe(60);
  });
});

describe('configuration', () => {
  const base = { ROLEGATE_DEMO: '1' };
  it('defaults to limits no person reaches', () => {
    expect(loadConfig(base).rateLimits).toEqual({ windowSeconds: 60, signinPerIp: 60, grantsPerUser: 120, bearerFailuresPerIp: 20 });
  });
  it('reads RATE_LIMIT_* and names a bad one', () => {
    expect(loadConfig({ ...base, RATE_LIMIT_WINDOW_SECONDS: '30', RATE_LIMIT_SIGNIN: '10', RATE_LIMIT_GRANTS: '20' }).rateLimits).toEqual({
      windowSeconds: 30,
      signinPerIp: 10,
      grantsPerUser: 20,
      bearerFailuresPerIp: 20,
    });
    expect(() => loadConfig({ ...base, RATE_LIMIT_GRANTS: '0' })).toThrow(/RATE_LIMIT_GRANTS/);
  });
});
