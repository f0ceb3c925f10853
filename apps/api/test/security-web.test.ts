import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInByHttp } from '@rolegate/dev-idp';
import type { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

// The browser-facing surface under attack. Refusals are asserted with their
// side effects: no session, no grant row, no AssumeRole at the emulator.

const MALLORY_NAME = 'Mallory\r\n{"level":60,"msg":"forged: admin signed in"}\u001b[2J\u001b[31mred';
const MALLORY_GROUPS = ['engineers', 'engineers\r\nplatform-admins', '\u001b[31mred\u001b[0m', 'a\nb'];

let stack: Stack;
let alice: TestBrowser;
let bob: TestBrowser;
let developerId: string;

beforeAll(async () => {
  stack = await startStack({
    extraUsers: [{ username: 'mallory', password: 'mallory-password-1', email: 'mallory@example.com', name: MALLORY_NAME, groups: MALLORY_GROUPS }],
  });
  alice = await stack.signIn('alice');
  bob = await stack.signIn('bob');
  developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

const assumeCalls = () => stack.aws.countCalls('AssumeRole');
const grantCount = async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM grants`)).rows[0].n as number;
const transactionCount = async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM login_transactions`)).rows[0].n as number;

/** Runs the whole sign-in with `rawQuery` appended to /auth/login and returns the final redirect's Location. */
async function signInWith(rawQuery: string): Promise<string | null> {
  const b = stack.browser();
  const start = await b.get(`/auth/login?provider=oidc&${rawQuery}`);
  expect(start.status).toBe(302);
  const done = await b.get(await signInByHttp(start.location!, 'alice', stack.userPassword('alice')));
  expect(done.status).toBe(303);
  expect((await b.get('/api/me')).status).toBe(200);
  return done.location;
}

describe('open redirects through returnTo (the whole sign-in, down to the Location header)', () => {
  it('keeps a same-origin path (control)', async () => {
    expect(await signInWith(`returnTo=${encodeURIComponent('/console/111111111111/Developer?duration=900')}`)).toBe(
      '/console/111111111111/Developer?duration=900',
    );
  });

  it.each([
    ['//evil.com', 'returnTo=//evil.com'],
    ['/\\evil.com', 'returnTo=/%5Cevil.com'],
    ['https:evil.com', 'returnTo=https:evil.com'],
    ['%2F%2Fevil.com (decoded by the query parser)', 'returnTo=%2F%2Fevil.com'],
    ['%2F%2Fevil.com (literally)', 'returnTo=%252F%252Fevil.com'],
    ['/%09/evil.com', 'returnTo=/%09/evil.com'],
    ['/%2509/evil.com', 'returnTo=/%2509/evil.com'],
    ['javascript:', 'returnTo=javascript:alert(document.domain)'],
    ['CRLF header injection', 'returnTo=/%0D%0ALocation:%20https://evil.com%0D%0ASet-Cookie:%20x=1'],
    ['https://evil.com', 'returnTo=https://evil.com/'],
    ['/.//evil.com', 'returnTo=/.//evil.com'],
    ['duplicate returnTo', 'returnTo=/fine&returnTo=//evil.com'],
  ])('sends %s to / instead', async (_label, rawQuery) => {
    const location = await signInWith(rawQuery);
    expect(location).toBe('/');
  });
});

describe('CSRF', () => {
  const grantBody = () => ({ entitlementId: developerId, kind: 'cli' as const });

  async function expectNoGrant(res: { status: number; json(): any }, status: number, before: { calls: number; rows: number }) {
    expect(res.status).toBe(status);
    expect(res.json().error.code).toEqual(expect.any(String));
    expect(assumeCalls()).toBe(before.calls);
    expect(await grantCount()).toBe(before.rows);
  }
  const snapshot = async () => ({ calls: assumeCalls(), rows: await grantCount() });

  it('accepts a same-origin call with the token (control)', async () => {
    const before = await snapshot();
    const res = await alice.post('/api/grants', grantBody(), { headers: { origin: new URL(stack.baseUrl).origin, 'sec-fetch-site': 'same-origin' } });
    expect(res.status).toBe(201);
    expect(assumeCalls()).toBe(before.calls + 1);
  });

  it.each([
    ['text/plain', 'text/plain', '{"entitlementId":"ID","kind":"cli"}'],
    ['form', 'application/x-www-form-urlencoded', 'entitlementId=ID&kind=cli&_csrf=TOKEN'],
    ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncli\r\n--x--\r\n'],
  ])('refuses a cross-site %s form post, even one carrying a leaked token', async (_label, type, body) => {
    const before = await snapshot();
    const res = await alice.request('POST', '/api/grants', {
      body: body.replace('ID', developerId).replace('TOKEN', alice.csrfToken!),
      headers: { 'content-type': type, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      csrf: false,
    });
    await expectNoGrant(res, 403, before);
    // The same form without the browser's site headers still never reaches a handler.
    const bare = await alice.request('POST', '/api/grants', {
      body: body.replace('ID', developerId).replace('TOKEN', alice.csrfToken!),
      headers: { 'content-type': type },
      csrf: false,
    });
    await expectNoGrant(bare, 415, before);
  });

  it.each([
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin null (sandboxed frame)', { origin: 'null' }],
    ['a look-alike Origin', { origin: 'http://127.0.0.1.evil.example' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
  ])('refuses JSON with a valid token and cookie but %s', async (_label, headers) => {
    const before = await snapshot();
    const res = await alice.post('/api/grants', grantBody(), { headers });
    await expectNoGrant(res, 403, before);
    expect(res.json().error.code).toBe('CSRF_INVALID');
  });

  it('refuses a missing token and a token from another session', async () => {
    const before = await snapshot();
    await expectNoGrant(await alice.post('/api/grants', grantBody(), { csrf: false }), 403, before);
    await expectNoGrant(await alice.post('/api/grants', grantBody(), { headers: { 'x-csrf-token': bob.csrfToken! } }), 403, before);
    await expectNoGrant(await bob.post('/api/grants', grantBody(), { headers: { 'x-csrf-token': alice.csrfToken! } }), 403, before);
  });

  it('refuses a cross-site sign-out (the session survives) and accepts a same-origin one', async () => {
    const victim = await stack.signIn('alice');
    const forms: { body: string; headers: Record<string, string> }[] = [
      { body: 'x=1', headers: { 'content-type': 'text/plain', origin: 'https://evil.example' } },
      {
        body: `_csrf=${encodeURIComponent(victim.csrfToken!)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      },
      { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ];
    for (const f of forms) {
      const res = await victim.request('POST', '/auth/logout', { ...f, csrf: false });
      expect(res.status).toBe(403);
      expect((await victim.get('/api/me')).status).toBe(200);
    }
    const ok = await victim.request('POST', '/auth/logout', {
      body: `_csrf=${encodeURIComponent(victim.csrfToken!)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(stack.baseUrl).origin },
      csrf: false,
    });
    expect(ok.status).toBe(204);
    expect((await victim.get('/api/me')).status).toBe(401);
  });
});

describe('session fixation and cookie attributes', () => {
  it('a cookie planted before sign-in is not the session after it', async () => {
    const attacker = stack.browser();
    const start = await attacker.get('/auth/login?provider=oidc');
    const planted = attacker.jar.header()!;
    expect(planted).toMatch(/rolegate\.sid=/);
    // The victim's browser carries the attacker's cookie and finishes the sign-in.
    const victim = stack.browser();
    victim.jar.store(planted.split('; '));
    const done = await victim.get(await signInByHttp(start.location!, 'carol', stack.userPassword('carol')));
    expect(done.status).toBe(303);
    expect(victim.jar.header()).not.toBe(planted);
    expect((await victim.get('/api/me')).json().user.email).toBe('carol@example.com');

    const before = assumeCalls();
    expect((await attacker.get('/api/me')).status).toBe(401);
    expect((await attacker.get('/console/111111111111/Developer')).status).toBe(302);
    expect(assumeCalls()).toBe(before);
    const carolSessions = await stack.sql.query(
      `SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'carol@example.com'`,
    );
    expect(carolSessions.rows[0].n).toBe(1);
  });

  it('sets HttpOnly and SameSite=Lax (no Secure on the plain-http demo)', async () => {
    const res = await stack.browser().get('/auth/login?provider=oidc');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('rolegate.sid='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Domain=/i);
  });

  describe('with an https PUBLIC_URL', () => {
    let secure: Stack;
    beforeAll(async () => {
      secure = await startStack({ env: { PUBLIC_URL: 'https://rolegate.test', TRUST_PROXY: '1' } });
    });
    afterAll(async () => {
      await secure?.close();
    });

    it('uses the __Host- prefix with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain, plus HSTS', async () => {
      const res = await secure.browser().get('/auth/login?provider=oidc', { 'x-forwarded-proto': 'https' });
      expect(res.status).toBe(302);
      const cookies = res.headers.getSetCookie();
      const session = cookies.find((c) => c.startsWith('__Host-rolegate.sid='));
      expect(session).toBeDefined();
      expect(session).toMatch(/; Secure/);
      expect(session).toMatch(/; HttpOnly/);
      expect(session).toMatch(/; SameSite=Lax/);
      expect(session).toMatch(/; Path=\/(;|$)/);
      expect(session).not.toMatch(/; Domain=/i);
      expect(cookies.some((c) => c.startsWith('rolegate.sid='))).toBe(false);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    });
  });
});

describe('parameter pollution and prototype pollution', () => {
  it('refuses two providers at once, starting no sign-in', async () => {
    const before = await transactionCount();
    const b = stack.browser();
    const res = await b.get('/auth/login?provider=oidc&provider=saml');
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.location).toBeNull();
    expect(await transactionCount()).toBe(before);
    expect((await b.get('/api/me')).status).toBe(401);
  });

  it('refuses duplicate query keys on /api/grants', async () => {
    const res = await alice.get('/api/grants?limit=1&limit=2');
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it.each([
    ['entitlementId as an array', (id: string) => ({ entitlementId: [id], kind: 'cli' })],
    ['kind as an array', (id: string) => ({ entitlementId: id, kind: ['cli', 'console'] })],
    ['durationSeconds as an array', (id: string) => ({ entitlementId: id, kind: 'cli', durationSeconds: [900] })],
    ['reason as an array', (id: string) => ({ entitlementId: id, kind: 'cli', reason: ['a', 'b'] })],
    ['destination as an object', (id: string) => ({ entitlementId: id, kind: 'console', destination: { href: 'https://evil.example' } })],
  ])('refuses %s in a grant request before any AWS call', async (_label, body) => {
    const calls = assumeCalls();
    const rows = await grantCount();
    const res = await alice.post('/api/grants', body(developerId));
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(assumeCalls()).toBe(calls);
    expect(await grantCount()).toBe(rows);
  });

  it.each([
    ['__proto__', `{"entitlementId":"ID","kind":"cli","__proto__":{"polluted":"yes","groups":["platform-admins"]}}`],
    ['constructor.prototype', `{"entitlementId":"ID","kind":"cli","constructor":{"prototype":{"polluted":"yes"}}}`],
    [
      'nested __proto__',
      `{"entitlementId":"ID","kind":"cli","reason":"r","destination":"https://console.aws.amazon.com/","x":{"__proto__":{"polluted":"yes"}}}`,
    ],
  ])('refuses a %s body without polluting anything', async (_label, raw) => {
    const calls = assumeCalls();
    const rows = await grantCount();
    const res = await alice.request('POST', '/api/grants', { body: raw.replace('ID', developerId), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(assumeCalls()).toBe(calls);
    expect(await grantCount()).toBe(rows);
    // The app runs in this process: a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await alice.me()).json().roles).toEqual(['employee']);
    expect((await alice.get('/api/admin/mappings')).status).toBe(403);
  });

  it('ignores __proto__ in the query string', async () => {
    const res = await alice.get('/api/grants?__proto__[polluted]=yes&constructor[prototype][polluted]=yes');
    expect([200, 400]).toContain(res.status);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('log injection: CRLF and ANSI escapes from the IdP are data', () => {
  it('stores the name and groups exactly, matches groups exactly, and keeps every log line one escaped JSON line', async () => {
    const mallory = await stack.signIn('mallory');
    const me = (await mallory.me()).json();
    expect(me.user.displayName).toBe(MALLORY_NAME);
    expect(me.user.groups).toEqual(MALLORY_GROUPS);
    // "engineers\r\nplatform-admins" is not "platform-admins".
    expect(me.roles).toEqual(['employee']);
    const users = await stack.sql.query(`SELECT display_name, groups FROM users WHERE email = 'mallory@example.com'`);
    expect(users.rows[0]).toEqual({ display_name: MALLORY_NAME, groups: MALLORY_GROUPS });

    const res = await mallory.post('/api/grants', { entitlementId: developerId, kind: 'cli' });
    expect(res.status).toBe(201);
    const [row] = await stack.grantRows('id = $1', [res.json().grant.id]);
    expect(row.groups).toEqual(MALLORY_GROUPS);

    const events = stack.logLines.flatMap((chunk) => chunk.split(/(?<=\n)/));
    const signedIn = events.map((l) => JSON.parse(l)).filter((e) => e.event === 'signed-in' && e.email === 'mallory@example.com');
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]).toMatchObject({ displayName: MALLORY_NAME, groups: MALLORY_GROUPS });
    for (const line of events) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\r\n\u001b]/);
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });
});

describe('headers and body limits', () => {
  it('sends a strict CSP with frame-ancestors none, X-Frame-Options DENY and nosniff', async () => {
    for (const path of ['/auth/providers', '/api/me', '/no/such/page']) {
      const res = await alice.get(path);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('marks grant responses no-store with Referrer-Policy no-referrer (API and deep link)', async () => {
    const api = await alice.post('/api/grants', { entitlementId: developerId, kind: 'console' });
    expect(api.status).toBe(201);
    expect(api.headers.get('cache-control')).toContain('no-store');
    expect(api.headers.get('referrer-policy')).toBe('no-referrer');
    const deep = await alice.get('/console/111111111111/Developer');
    expect(deep.status).toBe(302);
    expect(deep.headers.get('cache-control')).toContain('no-store');
    expect(deep.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers 413 to oversized JSON and form bodies, changing nothing', async () => {
    const calls = assumeCalls();
    const rows = await grantCount();
    const big = await alice.post('/api/grants', { entitlementId: developerId, kind: 'cli', reason: 'x'.repeat(200_000) });
    expect(big.status).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(assumeCalls()).toBe(calls);
    expect(await grantCount()).toBe(rows);

    const form = await alice.request('POST', '/auth/logout', {
      body: `_csrf=${encodeURIComponent(alice.csrfToken!)}&pad=${'x'.repeat(200_000)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      csrf: false,
    });
    expect(form.status).toBe(413);
    expect((await alice.get('/api/me')).status).toBe(200);
  });
});
