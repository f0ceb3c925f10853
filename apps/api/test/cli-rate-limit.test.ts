import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { CLI_TEST_MAPPINGS, cliTokenFor } from './cli-support.js';

const GRANTS_PER_USER = 2;
const SIGNIN_PER_IP = 3;
const BEARER_FAILURES = 3;

let stack: Stack;
let alice: TestBrowser;
let developerId = '';

beforeAll(async () => {
  stack = await startStack({
    mappingsYaml: CLI_TEST_MAPPINGS,
    env: { RATE_LIMIT_GRANTS: String(GRANTS_PER_USER), RATE_LIMIT_SIGNIN: String(SIGNIN_PER_IP), RATE_LIMIT_BEARER_FAILURES: String(BEARER_FAILURES) },
  });
  alice = await stack.signIn('alice');
  developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

describe('rate limits for the CLI', () => {
  it('counts CLI grants against the user, not the address: a token cannot escape the browser session’s budget', async () => {
    // The loopback sign-in itself goes through /api/cli/token once (per-IP sign-in budget).
    const { token } = await cliTokenFor(alice);
    for (let i = 0; i < GRANTS_PER_USER; i++) {
      expect((await alice.post('/api/grants', { entitlementId: developerId, kind: 'cli' })).status).toBe(201);
    }
    const before = stack.aws.countCalls('AssumeRole');
    const rows = (await stack.grantRows()).length;
    const res = await fetch(`${stack.baseUrl}/api/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ entitlementId: developerId, kind: 'cli' }),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(stack.aws.countCalls('AssumeRole')).toBe(before);
    expect((await stack.grantRows()).length).toBe(rows);
  });

  it('limits starting device sign-ins per address, writing no login request once over the limit', async () => {
    const count = async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM cli_login_requests WHERE kind = 'device'`)).rows[0].n as number;
    const start = () => fetch(`${stack.baseUrl}/api/cli/device`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    for (let i = 0; i < SIGNIN_PER_IP; i++) expect((await start()).status).toBe(200);
    const before = await count();
    const over = await start();
    expect(over.status).toBe(429);
    expect(await count()).toBe(before);
  });

  // Attack: guessing CLI tokens (or flooding junk ones to load the database).
  // After the failure budget, the address is refused before any lookup — a
  // valid token from it too, which proves nothing reached the token table.
  it('refuses bearer requests from an address after repeated invalid tokens, before looking any token up', async () => {
    const bob = await stack.signIn('bob');
    const { token } = await cliTokenFor(bob);
    const entitlements = (t: string) => fetch(`${stack.baseUrl}/api/entitlements`, { headers: { authorization: `Bearer ${t}` } });
    expect((await entitlements(token)).status).toBe(200);
    const guess = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (let i = 0; i < BEARER_FAILURES; i++) expect((await entitlements(guess)).status).toBe(401);
    const blocked = await entitlements(guess);
    expect(blocked.status).toBe(429);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const before = stack.aws.countCalls('AssumeRole');
    const valid = await fetch(`${stack.baseUrl}/api/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ entitlementId: developerId, kind: 'cli' }),
    });
    expect(valid.status).toBe(429);
    expect(stack.aws.countCalls('AssumeRole')).toBe(before);
    // The browser session is not a bearer request and keeps working.
    expect((await bob.get('/api/entitlements')).status).toBe(200);
  });
});
