import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from './support/http-client.js';
import { b64, type SamlTestIdp } from './support/saml-idp.js';
import { postAcs } from './support/saml-stack.js';
import { startStack, type Stack } from './support/stack.js';

// SAML sign-in runs through passport-saml's strategy; these pin what our
// wiring around it adds: request ids in Postgres through its cache provider,
// atomic single use, and no way to steer it to another binding.

let stack: Stack;
let idp: SamlTestIdp;

beforeAll(async () => {
  stack = await startStack({ saml: 'test-idp' });
  idp = stack.samlIdp!;
});
afterAll(async () => {
  await stack?.close();
});

const uniq = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

async function startLogin(b: TestBrowser = stack.browser()) {
  const res = await b.get('/auth/login?provider=saml');
  expect(res.status).toBe(302);
  return { b, requestId: idp.requestIdOf(res.location!) };
}

function valid(requestId: string, who: string): string {
  return idp.responseXml({ inResponseTo: requestId, nameId: who, attributes: { email: [who], groups: ['nobody'] } });
}

async function requestRow(id: string): Promise<{ session_id: string } | undefined> {
  return (await stack.sql.query(`SELECT session_id FROM saml_requests WHERE id = $1`, [id])).rows[0];
}

async function sessionsOf(subject: string): Promise<number> {
  const r = await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.subject = $1`, [subject]);
  return r.rows[0].n;
}

describe('SAML through passport-saml: InResponseTo in Postgres', () => {
  it('stores the id the strategy put in the AuthnRequest, bound to a digest of the browser cookie, and removes it on success', async () => {
    const b = stack.browser();
    const start = await b.get('/auth/login?provider=saml');
    expect(start.status).toBe(302);
    const requestId = idp.requestIdOf(start.location!);
    const cookie = /rolegate\.saml=([^;]+)/.exec(start.headers.get('set-cookie') ?? '')![1]!;
    const row = await requestRow(requestId);
    expect(row).toBeDefined();
    expect(row!.session_id).not.toBe(cookie);

    const who = uniq('cached');
    expect((await postAcs(b, b64(valid(requestId, who)))).status).toBe(303);
    expect(await requestRow(requestId)).toBeUndefined();
    expect(await sessionsOf(who)).toBe(1);
  });

  // Two different (each validly signed) Responses answering one request, posted at once:
  // node-saml reads the id, then removes it, and does not look at what the removal found.
  // Our cache provider's removal is an atomic DELETE … RETURNING and the login service
  // refuses every Response whose removal found nothing, so one request signs in one person.
  it('lets only one of several racing Responses to the same request sign in', async () => {
    const { b, requestId } = await startLogin();
    const people = Array.from({ length: 4 }, (_, i) => uniq(`race${i}`));
    const answers = await Promise.all(people.map((who) => postAcs(b, b64(valid(requestId, who)))));
    expect(answers.filter((r) => r.status === 303)).toHaveLength(1);
    for (const r of answers.filter((a) => a.status !== 303)) expect(r.json().error.code).toBe('LOGIN_FAILED');
    const counts = await Promise.all(people.map(sessionsOf));
    expect(counts.reduce((a, n) => a + n, 0)).toBe(1);
  });
});

describe('SAML through passport-saml: binding confusion', () => {
  // The strategy reads the query string before the body: a Redirect-binding message in the
  // ACS URL would be validated instead of the posted Response our checks looked at.
  it('refuses a posted Response when the ACS URL carries SAMLResponse or SAMLRequest', async () => {
    for (const param of ['SAMLResponse', 'SAMLRequest']) {
      const { b, requestId } = await startLogin();
      const who = uniq(`query-${param}`);
      const res = await b.request('POST', `/auth/saml/acs?${param}=${encodeURIComponent(b64('<x/>'))}`, {
        body: new URLSearchParams({ SAMLResponse: b64(valid(requestId, who)) }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        csrf: false,
      });
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('LOGIN_FAILED');
      expect(await sessionsOf(who)).toBe(0);
      expect((await b.get('/api/me')).status).toBe(401);
    }
    // Refused by our guard, before the strategy could act on the query string.
    expect(stack.logLines.filter((l) => l.includes('SAML message in the ACS query string'))).toHaveLength(2);
  });

  it('refuses a sign-in URL carrying a SAML message or RelayState, and stores no request', async () => {
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM saml_requests`)).rows[0].n;
    for (const param of ['SAMLRequest', 'SAMLResponse', 'RelayState']) {
      const res = await stack.browser().get(`/auth/login?provider=saml&${param}=x`);
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM saml_requests`)).rows[0].n).toBe(before);
  });
});
