import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, type SamlTestIdp } from './support/saml-idp.js';
import { postAcs } from './support/saml-stack.js';
import { startStack, type Stack } from './support/stack.js';

// With IdP-initiated sign-in enabled no request id stands in the way, so the
// replay table alone must stop a second use of an assertion — on any instance.
let stack: Stack;
let idp: SamlTestIdp;
beforeAll(async () => {
  stack = await startStack({ saml: 'test-idp', env: { SAML_ALLOW_IDP_INITIATED: 'true' } });
  idp = stack.samlIdp!;
});
afterAll(async () => {
  await stack?.close();
});

async function sessionsOf(subject: string): Promise<number> {
  const r = await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.subject = $1`, [subject]);
  return r.rows[0].n;
}

describe('SAML replay table (IdP-initiated sign-in enabled)', () => {
  it('accepts an unsolicited Response once, then refuses it on this instance and on a second one', async () => {
    const who = `replay-${randomBytes(4).toString('hex')}@example.com`;
    const response = b64(idp.responseXml({ inResponseTo: null, nameId: who, attributes: { email: [who], groups: ['engineers'] } }));
    const first = stack.browser();
    expect((await postAcs(first, response)).status).toBe(303);
    expect(await sessionsOf(who)).toBe(1);
    const row = await stack.sql.query(`SELECT expires_at FROM saml_assertions WHERE issuer = $1`, [idp.issuer]);
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0].expires_at.getTime()).toBeGreaterThan(Date.now());

    const again = stack.browser();
    const same = await postAcs(again, response);
    expect(same.status).toBe(400);
    expect(same.json().error.code).toBe('LOGIN_FAILED');
    expect((await again.get('/api/me')).status).toBe(401);

    const instance = await stack.startInstance();
    const there = instance.browser();
    const second = await postAcs(there, response);
    expect(second.status).toBe(400);
    expect(second.json().error.code).toBe('LOGIN_FAILED');
    expect((await there.get('/api/me')).status).toBe(401);
    const grant = await there.get('/console/111111111111/Developer');
    expect(grant.status).toBe(302);

    expect(await sessionsOf(who)).toBe(1);
    expect(stack.aws.countCalls('AssumeRole')).toBe(0);
  });

  it('lets two instances race for one assertion: exactly one wins', async () => {
    const who = `race-${randomBytes(4).toString('hex')}@example.com`;
    const response = b64(idp.responseXml({ inResponseTo: null, nameId: who }));
    const instance = await stack.startInstance();
    const results = await Promise.all([postAcs(stack.browser(), response), postAcs(instance.browser(), response)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 400]);
    expect(await sessionsOf(who)).toBe(1);
  });

  it('still checks a Response that does carry an InResponseTo', async () => {
    const who = `irt-${randomBytes(4).toString('hex')}@example.com`;
    const b = stack.browser();
    const res = await postAcs(b, b64(idp.responseXml({ inResponseTo: `_${randomBytes(20).toString('hex')}`, nameId: who })));
    expect(res.status).toBe(400);
    expect(await sessionsOf(who)).toBe(0);
  });
});
