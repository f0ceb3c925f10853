import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCliTokenList, adminUserList, cutOffResponse } from '@rolegate/contract';
import { approveLoopback, bearer, cliTokenFor, loopbackStart } from './cli-support.js';
import { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

/*
 * Admins can cut someone off. The gap this closes: a person removed from an
 * IdP group (or who left) kept their 8-hour browser session and their CLI
 * token working, and no admin could end them. A cut-off ends every browser
 * session and revokes every CLI token at once, on every instance, with one
 * change-log entry; a revoked CLI token mints no more credentials.
 */

let stack: Stack;
let bob: TestBrowser; // platform-admins → admin

beforeAll(async () => {
  stack = await startStack();
  bob = await stack.signIn('bob');
});
afterAll(async () => {
  await stack?.close();
});

const developer = () => stack.mappingId('arn:aws:iam::111111111111:role/Developer');
const aliceId = async () => (await stack.sql.query(`SELECT id FROM users WHERE email = 'alice@example.com'`)).rows[0].id as string;

/** A browser presenting `b`'s session cookie at another instance (own session cache, same database). */
function sameSessionAt(b: TestBrowser, baseUrl: string): TestBrowser {
  const copy = new TestBrowser(baseUrl);
  copy.jar.store(b.jar.header()!.split('; '));
  copy.csrfToken = b.csrfToken;
  return copy;
}

describe('finding a person', () => {
  it('searches by part of the email, case-insensitively, and treats % and _ literally', async () => {
    await stack.signIn('alice');
    const res = await bob.get('/api/admin/users?q=ALICE@');
    expect(res.status).toBe(200);
    const items = adminUserList.parse(res.json()).items;
    expect(items.map((u) => u.email)).toEqual(['alice@example.com']);
    expect(items[0]!.groups).toEqual(['engineers']);
    expect((await bob.get('/api/admin/users?q=%25')).json().items).toEqual([]);
  });

  it('answers 400 without q, and 404 for an unknown person', async () => {
    expect((await bob.get('/api/admin/users')).json().error.code).toBe('VALIDATION_FAILED');
    expect((await bob.post('/api/admin/users/00000000-0000-4000-8000-000000000000/cut-off')).status).toBe(404);
    expect((await bob.post('/api/admin/users/not-a-uuid/cut-off')).status).toBe(404);
    expect((await bob.get('/api/admin/users/not-a-uuid/cli-tokens')).status).toBe(404);
    expect((await bob.post('/api/admin/cli-tokens/00000000-0000-4000-8000-000000000000/revoke')).status).toBe(404);
  });

  it('is for admins only: an employee gets 403 and revokes nothing', async () => {
    const alice = await stack.signIn('alice');
    const id = await aliceId();
    const sessions = (await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1`, [id])).rows[0].n;
    for (const [method, url] of [
      ['GET', '/api/admin/users?q=a'],
      ['GET', `/api/admin/users/${id}/cli-tokens`],
      ['POST', `/api/admin/users/${id}/cut-off`],
      ['POST', '/api/admin/cli-tokens/00000000-0000-4000-8000-000000000000/revoke'],
    ] as const) {
      expect((await alice.request(method, url)).status, `${method} ${url}`).toBe(403);
    }
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1`, [id])).rows[0].n).toBe(sessions);
    expect((await alice.me()).status).toBe(200);
  });
});

describe('cutting a person off', () => {
  it('ends every browser session (on this instance and on another one) and revokes every CLI token; the token mints nothing', async () => {
    const other = await stack.startInstance();
    const aliceHere = await stack.signIn('alice');
    const aliceThere = sameSessionAt(await stack.signIn('alice'), other.baseUrl);
    const { token } = await cliTokenFor(await stack.signIn('alice'));
    const id = await aliceId();
    // Both instances have served (and so cached) alice's sessions; the token mints credentials.
    expect((await aliceHere.me()).status).toBe(200);
    expect((await aliceThere.me()).status).toBe(200);
    const ok = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: await developer(), kind: 'cli' } });
    expect(ok.status).toBe(201);
    const sessionsBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1`, [id])).rows[0].n as number;
    expect(sessionsBefore).toBeGreaterThanOrEqual(3);

    const res = await bob.post(`/api/admin/users/${id}/cut-off`);
    expect(res.status).toBe(202);
    const body = cutOffResponse.parse(res.json());
    expect(body).toMatchObject({ sessions: sessionsBefore, cliTokens: 1 });
    // The grant she took is revoked at AWS as well: a person revocation for its account, written ahead.
    expect(body.revocation).toMatchObject({ kind: 'user', target: 'alice@example.com', status: 'requested', accountIds: ['111111111111'] });
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM revocations WHERE user_id = $1 AND kind = 'person'`, [id])).rows[0].n).toBe(1);

    expect((await aliceHere.me()).status).toBe(401);
    await expect.poll(async () => (await aliceThere.me()).status, { timeout: 5000, interval: 50 }).toBe(401);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1`, [id])).rows[0].n).toBe(0);

    const assumed = stack.aws.countCalls('AssumeRole');
    const refused = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: await developer(), kind: 'cli' } });
    expect(refused.status).toBe(401);
    expect((await bearer(other.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: await developer(), kind: 'cli' } })).status).toBe(401);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumed);

    const [change] = (await stack.sql.query(`SELECT * FROM admin_changes WHERE entity = 'user' AND entity_id = $1`, [id])).rows;
    expect(change).toMatchObject({
      action: 'cut-off',
      actor_email: 'bob@example.com',
      after: { email: 'alice@example.com', sessions: sessionsBefore, cliTokens: 1 },
    });
    // bob's own session is untouched.
    expect((await bob.me()).status).toBe(200);
  });

  it('revokes one CLI token: that one stops minting, the person keeps the others', async () => {
    const alice = await stack.signIn('alice');
    const first = await cliTokenFor(alice);
    const second = await cliTokenFor(alice);
    const id = await aliceId();
    const listed = adminCliTokenList.parse((await bob.get(`/api/admin/users/${id}/cli-tokens`)).json()).items;
    expect(listed.map((t) => t.id).sort()).toEqual([first.tokenId, second.tokenId].sort());
    expect(JSON.stringify(listed)).not.toContain(first.token);

    const res = await bob.post(`/api/admin/cli-tokens/${first.tokenId}/revoke`);
    expect(res.status).toBe(200);
    const assumed = stack.aws.countCalls('AssumeRole');
    expect((await bearer(stack.baseUrl, first.token, 'POST', '/api/grants', { json: { entitlementId: await developer(), kind: 'cli' } })).status).toBe(401);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumed);
    expect((await bearer(stack.baseUrl, second.token, 'POST', '/api/grants', { json: { entitlementId: await developer(), kind: 'cli' } })).status).toBe(201);
    expect((await alice.me()).status).toBe(200);
    expect((await bob.get(`/api/admin/users/${id}/cli-tokens`)).json().items.map((t: { id: string }) => t.id)).toEqual([second.tokenId]);
    const changes = (await stack.sql.query(`SELECT action, entity FROM admin_changes WHERE entity_id = $1`, [first.tokenId])).rows;
    expect(changes).toEqual([{ action: 'revoke', entity: 'cli-token' }]);
    // Revoking it again: nothing active to revoke.
    expect((await bob.post(`/api/admin/cli-tokens/${first.tokenId}/revoke`)).status).toBe(404);
  });
});

describe('a CLI sign-in approved before the cut-off', () => {
  it('cannot be redeemed afterwards: no new token is minted', async () => {
    const alice = await stack.signIn('alice');
    const s = loopbackStart();
    const back = await approveLoopback(alice, `/cli/login?${s.query}`);
    const id = await aliceId();
    const tokensBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM cli_tokens WHERE user_id = $1`, [id])).rows[0].n;
    expect((await bob.post(`/api/admin/users/${id}/cut-off`)).status).toBe(202);
    const res = await fetch(`${stack.baseUrl}/api/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: back.searchParams.get('code'), codeVerifier: s.verifier }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM cli_tokens WHERE user_id = $1`, [id])).rows[0].n).toBe(tokensBefore);
  });
});

describe('CLI token lifetime', () => {
  it('defaults to at most 8 hours (groups come from the sign-in and are not re-checked at the IdP)', async () => {
    const { expiresAt } = await cliTokenFor(await stack.signIn('alice'));
    const ttl = new Date(expiresAt).getTime() - Date.now();
    expect(ttl).toBeLessThanOrEqual(8 * 3600_000);
    expect(ttl).toBeGreaterThan(7 * 3600_000);
  });
});
