import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

// Each instance serves sessions it has read from memory, and drops them when
// Postgres notifies a change of the web_sessions row (LISTEN/NOTIFY, a trigger).
// These tests end sessions behind an instance's back and check that the
// instance stops honouring them: no stale session may issue a grant.
const POLL = { timeout: 5000, interval: 20 };
/** What the app logs when the session feed loses its connection. */
const FEED_WARNING = /sessions change feed interrupted/;

let stack: Stack;
let second: Awaited<ReturnType<Stack['startInstance']>>;
let developerId: string;

beforeAll(async () => {
  stack = await startStack();
  second = await stack.startInstance();
  developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

/**
 * A new browser presenting `b`'s cookies and CSRF token at `baseUrl`. Every
 * probe is made with one of these, so a cookie the app sets on a refused
 * request can never replace the session under test.
 */
function holder(b: TestBrowser, baseUrl = stack.baseUrl): TestBrowser {
  const copy = new TestBrowser(baseUrl);
  copy.jar.store(b.jar.header()!.split('; '));
  copy.csrfToken = b.csrfToken;
  return copy;
}

const meStatus = async (b: TestBrowser, baseUrl = stack.baseUrl) => (await holder(b, baseUrl).get('/api/me')).status;

/** Signs `user` in and makes both instances serve (and so cache) the session a few times. */
async function signedInEverywhere(user: string): Promise<TestBrowser> {
  const b = await stack.signIn(user);
  for (const at of [stack.baseUrl, second.baseUrl, stack.baseUrl, second.baseUrl]) expect(await meStatus(b, at)).toBe(200);
  return b;
}

/**
 * The session of `b` issues nothing at `baseUrl`, by either grant route: POST
 * /api/grants is refused with 403 CSRF_INVALID (the CSRF token lived in the
 * ended session; a stale copy of the session would still hold it and pass),
 * the console deep link sends the browser to sign in; no grant row, no
 * AssumeRole call.
 */
async function expectGrantRefused(b: TestBrowser, email: string, baseUrl = stack.baseUrl) {
  const calls = stack.aws.countCalls('AssumeRole');
  const rows = (await stack.grantRows('user_email = $1', [email])).length;
  const res = await holder(b, baseUrl).post('/api/grants', { entitlementId: developerId, kind: 'cli' });
  expect(res.status).toBe(403);
  expect(res.json().error.code).toBe('CSRF_INVALID');
  const link = await holder(b, baseUrl).get('/console/111111111111/Developer');
  expect(link.status).toBe(302);
  expect(link.location).toMatch(/^\/auth\/login\?/);
  expect(stack.aws.countCalls('AssumeRole')).toBe(calls);
  expect(await stack.grantRows('user_email = $1', [email])).toHaveLength(rows);
}

const sessionsOf = async (email: string) =>
  (await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [email])).rows[0].n as number;

describe('a session ended behind the broker’s back (direct SQL)', () => {
  it('one user’s sessions deleted: refused on both instances, grants refused; another user keeps working', async () => {
    const alice = await signedInEverywhere('alice');
    const carol = await signedInEverywhere('carol');
    // The session works before the change, grant included.
    expect((await holder(alice).post('/api/grants', { entitlementId: developerId, kind: 'cli' })).status).toBe(201);

    await stack.sql.query(`DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE email = 'alice@example.com')`);
    await expect.poll(() => meStatus(alice), POLL).toBe(401);
    await expect.poll(() => meStatus(alice, second.baseUrl), POLL).toBe(401);
    await expectGrantRefused(alice, 'alice@example.com');
    await expectGrantRefused(alice, 'alice@example.com', second.baseUrl);
    expect(await sessionsOf('alice@example.com')).toBe(0);

    expect(await meStatus(carol)).toBe(200);
    expect(await meStatus(carol, second.baseUrl)).toBe(200);
  });

  it('every session deleted (an operator signing everyone out): no session works any more, none issues a grant', async () => {
    const alice = await signedInEverywhere('alice');
    const bob = await signedInEverywhere('bob');

    await stack.sql.query(`DELETE FROM web_sessions`);
    for (const b of [alice, bob]) {
      for (const at of [stack.baseUrl, second.baseUrl]) await expect.poll(() => meStatus(b, at), POLL).toBe(401);
    }
    await expectGrantRefused(alice, 'alice@example.com');
    await expectGrantRefused(bob, 'bob@example.com', second.baseUrl);
  });

  it('every session expired by UPDATE, or the table truncated: refused on both instances', async () => {
    const alice = await signedInEverywhere('alice');
    await stack.sql.query(`UPDATE web_sessions SET expires_at = now() - interval '1 second'`);
    for (const at of [stack.baseUrl, second.baseUrl]) await expect.poll(() => meStatus(alice, at), POLL).toBe(401);
    await expectGrantRefused(alice, 'alice@example.com');

    const bob = await signedInEverywhere('bob');
    await stack.sql.query(`TRUNCATE web_sessions`);
    for (const at of [stack.baseUrl, second.baseUrl]) await expect.poll(() => meStatus(bob, at), POLL).toBe(401);
    await expectGrantRefused(bob, 'bob@example.com', second.baseUrl);
  });
});

describe('sign-out on another instance', () => {
  it('ends the session on the instance that had served (and cached) it', async () => {
    const alice = await signedInEverywhere('alice');
    expect((await holder(alice).post('/api/grants', { entitlementId: developerId, kind: 'cli' })).status).toBe(201);

    expect((await holder(alice, second.baseUrl).post('/auth/logout')).status).toBe(204);
    expect(await meStatus(alice, second.baseUrl)).toBe(401);
    await expect.poll(() => meStatus(alice), POLL).toBe(401);
    await expectGrantRefused(alice, 'alice@example.com');
    expect(await sessionsOf('alice@example.com')).toBe(0);
  });
});

describe('the session feed’s connection lost', () => {
  it('a session deleted right after the LISTEN connection died is refused: no stale session survives', async () => {
    const alice = await signedInEverywhere('alice');
    const warnings = () => stack.logLines.filter((l) => FEED_WARNING.test(l)).length;
    const before = warnings();

    // The feeds' own connections only: idle, last query their LISTEN or their heartbeat
    // (nothing else in this file runs a bare SELECT 1; the pools' last queries are real ones).
    const killed = await stack.sql.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'
          AND query IN ('LISTEN rolegate_sessions', 'SELECT 1') AND pg_terminate_backend(pid)`,
    );
    await stack.sql.query(`DELETE FROM web_sessions WHERE user_id = (SELECT id FROM users WHERE email = 'alice@example.com')`);
    expect(killed.rows.length).toBeGreaterThanOrEqual(1);

    await expect.poll(() => meStatus(alice), POLL).toBe(401);
    await expect.poll(() => meStatus(alice, second.baseUrl), POLL).toBe(401);
    await expectGrantRefused(alice, 'alice@example.com');
    await expectGrantRefused(alice, 'alice@example.com', second.baseUrl);
    // The kill did reach the session feed (of both instances, each logging its interruption).
    await expect.poll(warnings, POLL).toBeGreaterThanOrEqual(before + 2);

    // The feed comes back, and a later sign-out elsewhere is heard again.
    const listeners = async () =>
      (
        await stack.sql.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN rolegate_sessions' AND NOT (pid = ANY($1::int[]))`,
          [killed.rows.map((r) => r.pid)],
        )
      ).rows[0].n as number;
    await expect.poll(listeners, POLL).toBe(2);
    const bob = await signedInEverywhere('bob');
    expect((await holder(bob, second.baseUrl).post('/auth/logout')).status).toBe(204);
    await expect.poll(() => meStatus(bob), POLL).toBe(401);
    await expectGrantRefused(bob, 'bob@example.com');
  });
});
