import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEvilOidcProvider, type EvilOidcProvider, type IdTokenTamper } from './support/evil-oidc.js';
import type { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

// Every attack starts from a flow that works (see the first test) and
// changes one thing. Each asserts three outcomes: the callback is refused,
// no session exists afterwards, and AWS saw no AssumeRole.

let evil: EvilOidcProvider;
let other: EvilOidcProvider;
let stack: Stack;

beforeAll(async () => {
  evil = await startEvilOidcProvider();
  // The attacker's own, perfectly valid IdP (same client id): the mix-up partner.
  other = await startEvilOidcProvider({ clientId: evil.clientId });
  stack = await startStack({ oidcProvider: { issuer: evil.issuer, clientId: evil.clientId, clientSecret: evil.clientSecret } });
});
afterAll(async () => {
  await stack?.close();
  await evil?.close();
  await other?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const assumeCalls = () => stack.aws.countCalls('AssumeRole');

async function sessionsOf(subject: string): Promise<number> {
  const r = await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.subject = $1 AND u.issuer = $2`, [
    subject,
    evil.issuer,
  ]);
  return r.rows[0].n;
}

/** The subject of the ID token of the latest `callbackFor`. */
let lastVictim = '';

/** A person of the IdP nobody has signed in as yet: each attack has its own victim, so one failure cannot mask another. */
function victim(): { sub: string; email: string } {
  const sub = `victim-${randomUUID()}`;
  return { sub, email: `${sub}@example.com` };
}

/**
 * Starts a sign-in in `browser` and returns the IdP's callback URL; the ID
 * token will be forged per `tamper` and name `as` (default: a fresh victim).
 */
async function callbackFor(browser: TestBrowser, tamper: IdTokenTamper = {}, idp: EvilOidcProvider = evil, as = victim()): Promise<URL> {
  tamper = { ...tamper, claims: { ...as, ...tamper.claims } };
  lastVictim = String(tamper.claims!.sub);
  const start = await browser.get('/auth/login?provider=oidc');
  expect(start.status).toBe(302);
  let authUrl = start.location!;
  if (idp !== evil) authUrl = authUrl.replace(evil.issuer, idp.issuer);
  return new URL(await idp.authorize(authUrl, tamper));
}

/** The three outcomes of a refused attack, for the browser that carried it. */
async function expectRefused(browser: TestBrowser, res: { status: number; json(): any }, assumeBefore: number, subject: string | null = lastVictim) {
  expect(res.status).toBe(400);
  expect(res.json().error.code).toBe('LOGIN_FAILED');
  expect((await browser.get('/api/me')).status).toBe(401);
  // With a session, this deep link would call AssumeRole (see the first test).
  const deep = await browser.get('/console/111111111111/Developer');
  expect(deep.status).toBe(302);
  expect(deep.location).toMatch(/^\/auth\/login\?/);
  if (subject) expect(await sessionsOf(subject)).toBe(0);
  expect(assumeCalls()).toBe(assumeBefore);
}

async function attack(tamper: IdTokenTamper, edit?: (callback: URL) => void) {
  const before = assumeCalls();
  const b = stack.browser();
  const who = victim();
  const callback = await callbackFor(b, tamper, evil, who);
  edit?.(callback);
  const res = await b.get(callback.href);
  await expectRefused(b, res, before, who.sub);
}

describe('the attack IdP works when honest (so every refusal below is the check under test)', () => {
  it('signs in through code + PKCE S256 + nonce, and the session can reach AWS', async () => {
    const b = stack.browser();
    const tokenCalls = evil.tokenRequests.length;
    const callback = await callbackFor(b, { claims: { sub: 'honest', email: 'honest@example.com' } });
    const done = await b.get(callback.href);
    expect(done.status).toBe(303);
    expect((await b.me()).json().user).toMatchObject({ subject: 'honest', email: 'honest@example.com', groups: ['engineers'] });
    expect(await sessionsOf('honest')).toBe(1);

    const auth = evil.authorizeRequests.at(-1)!;
    expect(auth.get('code_challenge_method')).toBe('S256');
    expect(auth.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.get('nonce')).toBeTruthy();
    expect(auth.get('state')).toBeTruthy();
    const token = evil.tokenRequests.at(-1)!;
    expect(evil.tokenRequests.length).toBe(tokenCalls + 1);
    expect(token).toMatchObject({ outcome: 'ok', codeVerifier: expect.stringMatching(/^[\w-]{43,128}$/) });

    const before = assumeCalls();
    const deep = await b.get('/console/111111111111/Developer');
    expect(deep.status).toBe(302);
    expect(assumeCalls()).toBe(before + 1);
  });
});

describe('identity claims', () => {
  // Attack: at an IdP that lets people type any address, mallory sets her
  // email to ceo@example.com and appears as the CEO in CloudTrail and audit.
  it.each([
    ['marked unverified', { email_verified: false }],
    ['not marked at all', {}],
    ['marked with the string "true"', { email_verified: 'true' }],
  ])('does not name the user by an email %s, nor by the user-editable preferred_username', async (_label, marks) => {
    const sub = `unverified-${Math.random().toString(36).slice(2)}`;
    const b = stack.browser();
    const callback = await callbackFor(b, {
      claims: { sub, email: 'ceo@example.com', preferred_username: 'ceo@example.com', email_verified: undefined, ...marks },
    });
    expect((await b.get(callback.href)).status).toBe(303);
    const me = (await b.me()).json();
    expect(me.user).toMatchObject({ subject: sub, email: sub });
    const rows = await stack.sql.query(`SELECT email FROM users WHERE subject = $1`, [sub]);
    expect(rows.rows[0].email).toBe(sub);
  });

  it('stores a verified email lower-cased: one person whatever the case', async () => {
    const sub = `mixed-${Math.random().toString(36).slice(2)}`;
    const b = stack.browser();
    const callback = await callbackFor(b, { claims: { sub, email: 'Mixed.Case@Example.COM', email_verified: true } });
    expect((await b.get(callback.href)).status).toBe(303);
    expect((await b.me()).json().user.email).toBe('mixed.case@example.com');
  });
});

describe('forged ID tokens', () => {
  it('refuses alg none', () => attack({ signing: 'none' }));
  it('refuses HS256 keyed with the RSA public key (algorithm confusion)', () => attack({ signing: 'hs256-public-key' }));
  it('refuses a token signed by a key outside the JWKS (under the JWKS kid)', () => attack({ signing: 'key-outside-jwks' }));
  it('refuses a token with an unknown kid', () => attack({ signing: 'unknown-kid' }));
  it('refuses a wrong iss', () => attack({ claims: { iss: 'https://evil.example' } }));
  it('refuses a wrong aud', () => attack({ claims: { aud: 'another-client' } }));
  it('refuses an azp naming another client', () => attack({ claims: { aud: [evil.clientId, 'another-client'], azp: 'another-client' } }));
  it('refuses an expired token', () => attack({ claims: { iat: now() - 7200, exp: now() - 3600 } }));
  it('refuses a missing nonce', () => attack({ claims: { nonce: undefined } }));
  it('refuses a mismatched nonce', () => attack({ claims: { nonce: 'n-0123456789abcdef0123456789abcdef012345' } }));
});

describe('state', () => {
  it('refuses a callback without state', () => attack({}, (u) => u.searchParams.delete('state')));
  it('refuses an unknown state', () => attack({}, (u) => u.searchParams.set('state', 'x'.repeat(43))));

  it('refuses the state of another sign-in attempt of the same browser', async () => {
    const before = assumeCalls();
    const b = stack.browser();
    const first = await callbackFor(b);
    const second = await callbackFor(b);
    second.searchParams.set('state', first.searchParams.get('state')!);
    await expectRefused(b, await b.get(second.href), before);
  });

  it('uses a sign-in attempt once: after a failed callback, the genuine one for the same state is refused', async () => {
    const before = assumeCalls();
    const b = stack.browser();
    const genuine = await callbackFor(b);
    const spoiled = new URL(genuine.href);
    spoiled.searchParams.set('code', 'not-a-code');
    expect((await b.get(spoiled.href)).status).toBe(400);
    const tokenCalls = evil.tokenRequests.length;
    await expectRefused(b, await b.get(genuine.href), before);
    expect(evil.tokenRequests.length).toBe(tokenCalls);
  });

  it('refuses a callback carried to another browser (login CSRF / stolen callback)', async () => {
    const before = assumeCalls();
    const owner = stack.browser();
    const callback = await callbackFor(owner);
    const tokenCalls = evil.tokenRequests.length;
    const attacker = stack.browser();
    await expectRefused(attacker, await attacker.get(callback.href), before);
    // Refused before the code was even redeemed.
    expect(evil.tokenRequests.length).toBe(tokenCalls);
  });
});

describe('PKCE', () => {
  it('the IdP refuses a code redeemed without its verifier', async () => {
    const b = stack.browser();
    const callback = await callbackFor(b);
    const res = await fetch(`${evil.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${evil.clientId}:${evil.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: `${stack.baseUrl}/auth/oidc/callback`,
      }),
    });
    expect(res.status).toBe(400);
    expect(evil.tokenRequests.at(-1)).toMatchObject({ codeVerifier: undefined, outcome: 'invalid_grant' });
  });

  it('refuses a sign-in whose stored transaction lost its verifier, without redeeming the code', async () => {
    const before = assumeCalls();
    const b = stack.browser();
    const callback = await callbackFor(b);
    const removed = await stack.sql.query(`UPDATE login_transactions SET code_verifier = NULL WHERE id = $1`, [callback.searchParams.get('state')]);
    expect(removed.rowCount).toBe(1);
    const tokenCalls = evil.tokenRequests.length;
    await expectRefused(b, await b.get(callback.href), before);
    expect(evil.tokenRequests.length).toBe(tokenCalls);
  });

  it('sends a verifier matching the challenge on every token request it made', () => {
    const ours = evil.tokenRequests.filter((t) => t.outcome === 'ok');
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((t) => typeof t.codeVerifier === 'string' && t.codeVerifier.length >= 43)).toBe(true);
  });
});

describe('code replay', () => {
  it('refuses a callback replayed after it succeeded, in the same browser and in another', async () => {
    const b = stack.browser();
    const callback = await callbackFor(b, { claims: { sub: 'replayed', email: 'replayed@example.com' } });
    expect((await b.get(callback.href)).status).toBe(303);
    const tokenCalls = evil.tokenRequests.length;
    const before = assumeCalls();

    const same = await b.get(callback.href);
    expect(same.status).toBe(400);
    expect(same.json().error.code).toBe('LOGIN_FAILED');
    const attacker = stack.browser();
    await expectRefused(attacker, await attacker.get(callback.href), before, null);
    expect(evil.tokenRequests.length).toBe(tokenCalls);
    // Still only the one legitimate session.
    expect(await sessionsOf('replayed')).toBe(1);
  });

  it('refuses a used code injected into the attacker’s own sign-in (PKCE and single use at the IdP)', async () => {
    const owner = stack.browser();
    const stolen = await callbackFor(owner, { claims: { sub: 'injected', email: 'injected@example.com' } });
    expect((await owner.get(stolen.href)).status).toBe(303);

    const before = assumeCalls();
    const attacker = stack.browser();
    const own = await callbackFor(attacker);
    own.searchParams.set('code', stolen.searchParams.get('code')!);
    await expectRefused(attacker, await attacker.get(own.href), before);
    expect(evil.tokenRequests.at(-1)!.outcome).toBe('invalid_grant');
    expect(await sessionsOf('injected')).toBe(1);
  });
});

describe('IdP mix-up (a second issuer under the attacker’s control)', () => {
  it('refuses an authorization response whose iss names the other IdP (RFC 9207)', async () => {
    const tokenCalls = evil.tokenRequests.length;
    await attack({}, (u) => u.searchParams.set('iss', other.issuer));
    expect(evil.tokenRequests.length).toBe(tokenCalls);
  });

  it('refuses an authorization response without iss when the IdP advertises it', async () => {
    const tokenCalls = evil.tokenRequests.length;
    await attack({}, (u) => u.searchParams.delete('iss'));
    expect(evil.tokenRequests.length).toBe(tokenCalls);
  });

  it('refuses a code and response issued by the other IdP', async () => {
    const before = assumeCalls();
    const b = stack.browser();
    const callback = await callbackFor(b, {}, other);
    expect(callback.searchParams.get('iss')).toBe(other.issuer);
    await expectRefused(b, await b.get(callback.href), before);
  });

  it('refuses an ID token issued and signed by the other IdP', () => attack({ signer: other, claims: { iss: other.issuer } }));
  it('refuses an ID token signed by the other IdP’s key in our issuer’s name', () => attack({ signer: other }));
});
