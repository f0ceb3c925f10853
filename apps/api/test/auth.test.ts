import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInByHttp } from '@rolegate/dev-idp';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function sessionCount(): Promise<number> {
  const r = await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions WHERE user_id IS NOT NULL`);
  return r.rows[0].n;
}

describe('OIDC sign-in through the dev IdP', () => {
  it('signs alice in and /api/me shows her identity, groups, roles and a CSRF token', async () => {
    const b = await stack.signIn('alice');
    const me = await b.me();
    expect(me.status).toBe(200);
    const body = me.json();
    expect(body.user).toMatchObject({ email: 'alice@example.com', subject: 'alice', idp: 'oidc', groups: ['engineers'] });
    expect(body.roles).toEqual(['employee']);
    expect(body.csrfToken).toMatch(/.{16,}/);
    const users = await stack.sql.query(`SELECT email, groups FROM users WHERE subject = 'alice'`);
    expect(users.rows[0]).toEqual({ email: 'alice@example.com', groups: ['engineers'] });
  });

  it('gives admin and auditor roles only to the configured groups', async () => {
    expect((await (await stack.signIn('bob')).me()).json().roles).toEqual(['employee', 'admin']);
    expect((await (await stack.signIn('carol')).me()).json().roles).toEqual(['employee', 'auditor']);
  });

  it('returns to the requested same-origin path, and to / for an open redirect', async () => {
    const b = stack.browser();
    const start = await b.get(`/auth/login?provider=oidc&returnTo=${encodeURIComponent('/console/111111111111/Developer')}`);
    const done = await b.get(await signInByHttp(start.location!, 'alice', stack.userPassword('alice')));
    expect(done.location).toBe('/console/111111111111/Developer');

    const evil = stack.browser();
    const s2 = await evil.get(`/auth/login?provider=oidc&returnTo=${encodeURIComponent('//evil.example/x')}`);
    const d2 = await evil.get(await signInByHttp(s2.location!, 'alice', stack.userPassword('alice')));
    expect(d2.location).toBe('/');
  });

  it('rotates the session id at sign-in (a planted cookie is worthless)', async () => {
    const b = stack.browser();
    const start = await b.get('/auth/login?provider=oidc');
    const before = b.jar.header();
    expect(before).toMatch(/rolegate\.sid=/);
    const done = await b.get(await signInByHttp(start.location!, 'alice', stack.userPassword('alice')));
    expect(done.status).toBe(303);
    expect(b.jar.header()).not.toBe(before);
    // The pre-login cookie does not carry the signed-in session.
    const attacker = stack.browser();
    attacker.jar.store([before!.split('; ').find((c) => c.startsWith('rolegate.sid='))!]);
    expect((await attacker.get('/api/me')).status).toBe(401);
  });

  it('refuses a replayed callback and a callback from another browser, creating no session', async () => {
    const b = stack.browser();
    const start = await b.get('/auth/login?provider=oidc');
    const callback = await signInByHttp(start.location!, 'alice', stack.userPassword('alice'));
    const other = stack.browser();
    const stolen = await other.get(callback);
    expect(stolen.status).toBe(400);
    expect(stolen.json().error.code).toBe('LOGIN_FAILED');
    expect((await other.get('/api/me')).status).toBe(401);

    // The legitimate browser can still finish once, then never again.
    expect((await b.get(callback)).status).toBe(303);
    const before = await sessionCount();
    const replay = await stack.browser().get(callback);
    expect(replay.status).toBe(400);
    expect(await sessionCount()).toBe(before);
  });

  it('refuses a callback with a tampered state', async () => {
    const b = stack.browser();
    const start = await b.get('/auth/login?provider=oidc');
    const callback = new URL(await signInByHttp(start.location!, 'alice', stack.userPassword('alice')));
    callback.searchParams.set('state', 'x'.repeat(43));
    const res = await b.get(callback.toString());
    expect(res.status).toBe(400);
    expect((await b.get('/api/me')).status).toBe(401);
  });

  it('destroys the session server-side at sign-out', async () => {
    const b = await stack.signIn('alice');
    const cookie = b.jar.header()!;
    const noCsrf = await b.post('/auth/logout', undefined, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect((await b.me()).status).toBe(200);
    const out = await b.post('/auth/logout');
    expect(out.status).toBe(204);
    const replay = stack.browser();
    replay.jar.store(cookie.split('; '));
    expect((await replay.get('/api/me')).status).toBe(401);
  });

  it('answers 401 JSON to signed-out API calls', async () => {
    const res = await stack.browser().get('/api/entitlements');
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  });
});
