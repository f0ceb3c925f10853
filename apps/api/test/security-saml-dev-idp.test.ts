import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samlSignInByHttp } from './support/saml-stack.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ saml: 'dev-idp' });
});
afterAll(async () => {
  await stack?.close();
});

describe('SAML sign-in through the dev SAML IdP over HTTP', () => {
  it('signs alice in and her console grant records idp saml', async () => {
    const b = stack.browser();
    const done = await samlSignInByHttp(b, 'alice', stack.userPassword('alice'), '/console/111111111111/Developer');
    expect(done.status).toBe(303);
    expect(done.location).toBe('/console/111111111111/Developer');
    const me = await b.me();
    expect(me.json().user).toMatchObject({ email: 'alice@example.com', subject: 'alice@example.com', idp: 'saml', groups: ['engineers'] });

    const before = stack.aws.countCalls('AssumeRole');
    const grant = await b.get('/console/111111111111/Developer');
    expect(grant.status).toBe(302);
    expect(grant.location).toContain(stack.aws.federationUrl);
    expect(stack.aws.countCalls('AssumeRole')).toBe(before + 1);
    const [row] = await stack.grantRows();
    expect(row).toMatchObject({ status: 'issued', idp: 'saml', user_email: 'alice@example.com', user_subject: 'alice@example.com' });
  });

  it('gives bob admin through the multi-valued groups attribute', async () => {
    const b = stack.browser();
    expect((await samlSignInByHttp(b, 'bob', stack.userPassword('bob'))).status).toBe(303);
    expect((await b.me()).json().roles).toEqual(['employee', 'admin']);
  });
});
