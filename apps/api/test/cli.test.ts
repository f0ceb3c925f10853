import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { CLI_TEST_MAPPINGS as MAPPINGS, approveLoopback, bearer, cliTokenFor, decideDevice, formFields, loopbackStart, postForm } from './cli-support.js';

let stack: Stack;
let alice: TestBrowser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  alice = await stack.signIn('alice');
  Object.assign(ids, await stack.mappingIds());
});
afterAll(async () => {
  await stack?.close();
});

const assumeCalls = () => stack.aws.countCalls('AssumeRole');
const tokenRows = async () => (await stack.sql.query(`SELECT * FROM cli_tokens ORDER BY created_at`)).rows;
const loginRows = async () => (await stack.sql.query(`SELECT * FROM cli_login_requests`)).rows;

describe('loopback sign-in (broker side)', () => {
  it('sends a signed-out browser to sign in first, back to the same /cli/login', async () => {
    const s = loopbackStart();
    const res = await stack.browser().get(`/cli/login?${s.query}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/auth/login?returnTo=${encodeURIComponent(`/cli/login?${s.query}`)}`);
  });

  it('shows a confirm page with a CSRF-protected form and a strict CSP that allows only the loopback port', async () => {
    const s = loopbackStart(50123);
    const page = await alice.get(`/cli/login?${s.query}`, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('alice@example.com');
    expect(page.text).not.toMatch(/<script|style=|<style/i);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/form-action 'self'[^;]* http:\/\/127\.0\.0\.1:50123(;|$)/);
    // Elsewhere the loopback is not a form target.
    expect((await alice.get('/cli/device', { accept: 'text/html' })).headers.get('content-security-policy')).not.toContain(':50123');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toContain('no-store');
    const fields = formFields(page.text);
    expect(fields).toMatchObject({ port: '50123', state: s.state, code_challenge: s.challenge });
    expect(fields._csrf).toBe(alice.csrfToken);
    // Nothing is recorded just by looking at the page.
    expect(await loginRows()).toHaveLength(0);
  });

  it('refuses the confirm POST without the CSRF token and records nothing', async () => {
    const s = loopbackStart();
    const page = await alice.get(`/cli/login?${s.query}`, { accept: 'text/html' });
    const { _csrf, ...rest } = formFields(page.text);
    expect(_csrf).toBeTruthy();
    const res = await postForm(alice, '/cli/login', rest);
    expect(res.status).toBe(403);
    expect(res.location).toBeNull();
    const forged = await postForm(alice, '/cli/login', { ...rest, _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(await loginRows()).toHaveLength(0);
  });

  it('rejects bad loopback parameters with a 400 page', async () => {
    for (const q of [
      'port=80&state=aaaaaaaaaaaaaaaaaaaa&code_challenge=' + 'a'.repeat(43),
      'port=5000&state=short&code_challenge=' + 'a'.repeat(43),
      'port=5000&state=aaaaaaaaaaaaaaaaaaaa&code_challenge=plain',
    ]) {
      const res = await alice.get(`/cli/login?${q}`, { accept: 'text/html' });
      expect(res.status, q).toBe(400);
      expect(res.text).toContain('VALIDATION_FAILED');
    }
  });

  it('redirects only to 127.0.0.1 and redeems the code once, with the PKCE verifier, for a hashed token', async () => {
    const s = loopbackStart(50200);
    const back = await approveLoopback(alice, `/cli/login?${s.query}&host=evil.example`);
    expect(back.origin).toBe('http://127.0.0.1:50200');
    expect(back.pathname).toBe('/callback');
    expect(back.searchParams.get('state')).toBe(s.state);
    const code = back.searchParams.get('code')!;
    expect(JSON.stringify(await loginRows())).not.toContain(code);

    const res = await fetch(`${stack.baseUrl}/api/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, codeVerifier: s.verifier }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    const body = (await res.json()) as { token: string; tokenId: string; expiresAt: string };
    expect(body.token).toMatch(/^rgcli_[A-Za-z0-9_-]{43}$/);
    const ttl = new Date(body.expiresAt).getTime() - Date.now();
    // Default CLI_TOKEN_TTL_SECONDS: 8 h (groups are not re-checked at the IdP while a token lives).
    expect(ttl).toBeGreaterThan(7.9 * 3600_000);
    expect(ttl).toBeLessThanOrEqual(8 * 3600_000);

    const [row] = (await tokenRows()).filter((r) => r.id === body.tokenId);
    expect(row).toMatchObject({ email: 'alice@example.com', groups: ['engineers'], revoked_at: null, label: 'test-host' });
    expect(JSON.stringify(await tokenRows())).not.toContain(body.token.slice(6));
    expect(row.token_hash).not.toBe(body.token);

    const again = await fetch(`${stack.baseUrl}/api/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, codeVerifier: s.verifier }),
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('LOGIN_FAILED');
  });

  it('burns a code presented with the wrong verifier: no token, and the right verifier no longer works', async () => {
    const s = loopbackStart();
    const code = (await approveLoopback(alice, `/cli/login?${s.query}`)).searchParams.get('code');
    const before = (await tokenRows()).length;
    const post = (codeVerifier: string) =>
      fetch(`${stack.baseUrl}/api/cli/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, codeVerifier }),
      });
    expect((await post(loopbackStart().verifier)).status).toBe(400);
    expect((await post(s.verifier)).status).toBe(400);
    expect((await tokenRows()).length).toBe(before);
  });
});

describe('device sign-in (broker side)', () => {
  const startDevice = async (label = 'headless') => {
    const start = await fetch(`${stack.baseUrl}/api/cli/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'rolegate-cli/test' },
      body: JSON.stringify({ label }),
    });
    expect(start.status).toBe(200);
    return (await start.json()) as { deviceCode: string; userCode: string; verificationUri: string; interval: number; expiresIn: number };
  };
  const poll = async (deviceCode: string) => {
    const res = await fetch(`${stack.baseUrl}/api/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceCode }),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string }; token?: string } };
  };
  const waitInterval = () => new Promise((r) => setTimeout(r, 2000));

  it('issues a token only after the signed-in user types the code, sees what it approves and approves it', async () => {
    const d = await startDevice();
    expect(d.userCode).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
    expect(d.verificationUri).toBe(`${stack.baseUrl}/cli/device`);
    expect(d.expiresIn).toBeLessThanOrEqual(600);
    expect((await poll(d.deviceCode)).body.error?.code).toBe('AUTHORIZATION_PENDING');

    const form = await alice.get('/cli/device', { accept: 'text/html' });
    expect(form.status).toBe(200);
    const fields = formFields(form.text);
    const noCsrf = await postForm(alice, '/cli/device', { user_code: d.userCode });
    expect(noCsrf.status).toBe(403);
    const wrong = await postForm(alice, '/cli/device', { ...fields, user_code: 'BBBB-BBBB' });
    expect(wrong.status).toBe(400);

    // Typing the code shows what would be approved; nothing is decided yet.
    const confirm = await postForm(alice, '/cli/device', { ...fields, user_code: d.userCode.toLowerCase().replace('-', ' ') });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('headless');
    expect(confirm.text).toContain('127.0.0.1');
    expect(confirm.text).toContain('rolegate-cli/test');
    expect(confirm.text).toMatch(/Started.*UTC/s);
    expect(confirm.text).toMatch(/Code expires.*UTC/s);
    expect(confirm.text).toContain('Only approve a code that your own terminal shows you, right now');
    await waitInterval();
    expect((await poll(d.deviceCode)).body.error?.code).toBe('AUTHORIZATION_PENDING');

    const done = await postForm(alice, '/cli/device/decide', { ...formFields(confirm.text), decision: 'approve' });
    expect(done.status).toBe(200);
    await waitInterval();
    const ok = await poll(d.deviceCode);
    expect(ok.status).toBe(200);
    expect((await bearer(stack.baseUrl, ok.body.token!, 'GET', '/api/entitlements')).status).toBe(200);
    await waitInterval();
    const reused = await poll(d.deviceCode);
    expect(reused.status).toBe(400);
    expect(reused.body.error?.code).toBe('LOGIN_FAILED');
  });

  // Attack (the reported phishing): mallory starts a device sign-in without
  // authenticating and sends alice /cli/device?user_code=<mallory's code>.
  // The page must not carry the code, so alice's press approves nothing, and
  // mallory's poll never yields a token.
  it('ignores a code in the link: the phishing link approves nothing and the attacker gets no token', async () => {
    const mallory = await startDevice('definitely-your-laptop');
    const tokensBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM cli_tokens`)).rows[0].n as number;
    const calls = stack.aws.countCalls('AssumeRole');
    const page = await alice.get(`/cli/device?user_code=${mallory.userCode}`, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(mallory.userCode);
    const fields = formFields(page.text);
    expect(fields.user_code).toBeUndefined();
    // Alice presses the button without typing (the field is empty): nothing is approved.
    const pressed = await postForm(alice, '/cli/device', { ...fields, user_code: '' });
    expect(pressed.status).toBe(400);
    // Even a direct decide post carrying the code from the link needs the CSRF token of alice's own page.
    expect((await postForm(alice, '/cli/device/decide', { user_code: mallory.userCode, decision: 'approve' })).status).toBe(403);
    await waitInterval();
    expect((await poll(mallory.deviceCode)).body.error?.code).toBe('AUTHORIZATION_PENDING');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM cli_tokens`)).rows[0].n).toBe(tokensBefore);
    expect(stack.aws.countCalls('AssumeRole')).toBe(calls);
  });

  it('tells the CLI access_denied after Deny, and never issues a token for the code', async () => {
    const d = await startDevice();
    const { done } = await decideDevice(alice, d.userCode, 'deny');
    expect(done.status).toBe(200);
    expect(done.text).toContain('denied');
    const res = await poll(d.deviceCode);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('ACCESS_DENIED');
    // A denied code cannot be approved afterwards.
    const again = await alice.get('/cli/device', { accept: 'text/html' });
    expect((await postForm(alice, '/cli/device', { ...formFields(again.text), user_code: d.userCode })).status).toBe(400);
  });

  it('answers slow_down to a client that polls faster than the interval (per device code)', async () => {
    const d = await startDevice();
    expect((await poll(d.deviceCode)).body.error?.code).toBe('AUTHORIZATION_PENDING');
    const fast = await poll(d.deviceCode);
    expect(fast.status).toBe(400);
    expect(fast.body.error?.code).toBe('SLOW_DOWN');
    // Another device code has its own budget.
    const other = await startDevice();
    expect((await poll(other.deviceCode)).body.error?.code).toBe('AUTHORIZATION_PENDING');
  });

  it('answers expired_token once the code has expired, and the code can no longer be approved', async () => {
    const d = await startDevice();
    await stack.sql.query(`UPDATE cli_login_requests SET expires_at = now() - interval '1 second' WHERE user_code = $1`, [d.userCode]);
    const res = await poll(d.deviceCode);
    expect(res.body.error?.code).toBe('EXPIRED_TOKEN');
    const form = await alice.get('/cli/device', { accept: 'text/html' });
    expect((await postForm(alice, '/cli/device', { ...formFields(form.text), user_code: d.userCode })).status).toBe(400);
  });
});

describe('CLI bearer tokens', () => {
  it('lists entitlements and issues a recorded cli grant without any CSRF token or cookie', async () => {
    const { token } = await cliTokenFor(alice);
    const ents = await bearer(stack.baseUrl, token, 'GET', '/api/entitlements');
    expect(ents.status).toBe(200);
    expect(
      ents
        .json()
        .items.map((e: { roleName: string }) => e.roleName)
        .sort(),
    ).toEqual(['Developer', 'ReadOnly']);
    const before = assumeCalls();
    const res = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: ids.Developer, kind: 'cli', durationSeconds: 900 } });
    expect(res.status).toBe(201);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(assumeCalls()).toBe(before + 1);
    const [row] = await stack.grantRows('id = $1', [res.json().grant.id]);
    expect(row).toMatchObject({ kind: 'cli', status: 'issued', user_email: 'alice@example.com', groups: ['engineers'] });
    const mine = await bearer(stack.baseUrl, token, 'GET', '/api/grants');
    expect(mine.status).toBe(200);
    expect(mine.json().items[0].id).toBe(row.id);
  });

  it('is refused on admin, audit, /api/me and the portal token routes, even alongside a signed-in cookie', async () => {
    const { token } = await cliTokenFor(alice);
    const admin = await stack.signIn('bob');
    const auditor = await stack.signIn('carol');
    const before = stack.aws.requests.length;
    for (const [method, path] of [
      ['GET', '/api/admin/mappings'],
      ['GET', '/api/audit/grants'],
      ['GET', '/api/audit/grants/export?format=csv'],
      ['GET', '/api/me'],
      ['GET', '/api/cli/tokens'],
      ['DELETE', '/api/cli/tokens/00000000-0000-0000-0000-000000000000'],
      ['POST', '/api/admin/mappings'],
    ] as const) {
      for (const c of [undefined, alice.jar.header(), admin.jar.header(), auditor.jar.header()]) {
        const res = await bearer(stack.baseUrl, token, method, path, c ? { cookie: c } : {});
        expect([401, 403], `${method} ${path}`).toContain(res.status);
        expect(res.text).not.toContain('csrfToken');
        expect(res.headers.get('set-cookie')).toBeNull();
      }
    }
    expect(stack.aws.requests.length).toBe(before);
  });

  it('acts as the token’s user, never as the cookie sent alongside it', async () => {
    const { token } = await cliTokenFor(alice);
    const bob = await stack.signIn('bob');
    const res = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: ids.Developer, kind: 'cli' }, cookie: bob.jar.header() });
    expect(res.status).toBe(201);
    expect(res.headers.get('set-cookie')).toBeNull();
    const [row] = await stack.grantRows('id = $1', [res.json().grant.id]);
    expect(row).toMatchObject({ user_email: 'alice@example.com', groups: ['engineers'] });
    const ents = await bearer(stack.baseUrl, token, 'GET', '/api/entitlements', { cookie: bob.jar.header() });
    expect(ents.json().items.map((e: { roleName: string }) => e.roleName)).not.toContain('Administrator');
  });

  it('refuses a malformed Authorization header instead of falling back to the cookie', async () => {
    const res = await fetch(`${stack.baseUrl}/api/entitlements`, { headers: { authorization: 'Bearer not-a-token', cookie: alice.jar.header() ?? '' } });
    expect(res.status).toBe(401);
  });

  it('lists the user’s tokens in the portal and refuses a token revoked there', async () => {
    const { token, tokenId } = await cliTokenFor(alice);
    const list = await alice.get('/api/cli/tokens');
    expect(list.status).toBe(200);
    expect(list.json().items.map((t: { id: string }) => t.id)).toContain(tokenId);
    expect(list.text).not.toContain(token);

    const bob = await stack.signIn('bob');
    const stolen = await bob.request('DELETE', `/api/cli/tokens/${tokenId}`);
    expect(stolen.status).toBe(404);
    const noCsrf = await alice.request('DELETE', `/api/cli/tokens/${tokenId}`, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(200);

    const del = await alice.request('DELETE', `/api/cli/tokens/${tokenId}`);
    expect(del.status).toBe(204);
    const [row] = (await tokenRows()).filter((r) => r.id === tokenId);
    expect(row.revoked_at).not.toBeNull();
    expect((await alice.get('/api/cli/tokens')).json().items.map((t: { id: string }) => t.id)).not.toContain(tokenId);

    const before = assumeCalls();
    const refused = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: ids.Developer, kind: 'cli' } });
    expect(refused.status).toBe(401);
    expect(refused.json().error.message).toContain('revoked');
    expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(401);
    expect(assumeCalls()).toBe(before);
  });

  it('is revoked by POST /api/cli/logout with the token itself', async () => {
    const { token, tokenId } = await cliTokenFor(alice);
    expect((await bearer(stack.baseUrl, token, 'POST', '/api/cli/logout')).status).toBe(204);
    expect((await tokenRows()).find((r) => r.id === tokenId).revoked_at).not.toBeNull();
    expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(401);
  });

  it('refuses an expired token, calling no AWS', async () => {
    const { token, tokenId } = await cliTokenFor(alice);
    await stack.sql.query(`UPDATE cli_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [tokenId]);
    const before = assumeCalls();
    const rowsBefore = (await stack.grantRows()).length;
    const res = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: ids.Developer, kind: 'cli' } });
    expect(res.status).toBe(401);
    expect(res.json().error.message).toContain('expired');
    expect(assumeCalls()).toBe(before);
    expect((await stack.grantRows()).length).toBe(rowsBefore);
  });

  it('is refused once the mappings give its groups no role, and accepted again when they do', async () => {
    const { token } = await cliTokenFor(alice);
    // Written behind the broker's back: the change reaches it through the mapping change feed.
    await stack.sql.query(`UPDATE role_mappings SET enabled = false WHERE "group" = 'engineers'`);
    try {
      await expect.poll(async () => (await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status, { timeout: 5000, interval: 20 }).toBe(403);
      const before = assumeCalls();
      const res = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: ids.Developer, kind: 'cli' } });
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('NOT_ENTITLED');
      expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(403);
      expect(assumeCalls()).toBe(before);
    } finally {
      await stack.sql.query(`UPDATE role_mappings SET enabled = true WHERE "group" = 'engineers'`);
    }
    await expect.poll(async () => (await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status, { timeout: 5000, interval: 20 }).toBe(200);
  });

  it('uses the groups of the sign-in that created it, not a role the token’s groups lack', async () => {
    const { token } = await cliTokenFor(alice);
    const before = assumeCalls();
    const res = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: ids.Administrator, kind: 'cli' } });
    expect(res.status).toBe(403);
    expect(assumeCalls()).toBe(before);
    const [row] = await stack.grantRows(`status = 'denied' AND mapping_id = $1`, [ids.Administrator]);
    expect(row).toMatchObject({ user_email: 'alice@example.com', kind: 'cli' });
  });
});
