import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateSigningMaterial } from '@rolegate/dev-idp';
import { createSamlServiceProvider } from '../src/auth/saml-sp.js';
import { isFreshSignIn } from '../src/auth/step-up.js';

describe('isFreshSignIn', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('accepts an IdP authentication within the maximum age only', () => {
    expect(isFreshSignIn('2026-12-07T11:55:00Z', now, 300)).toBe(true);
    expect(isFreshSignIn('2026-12-07T11:54:59Z', now, 300)).toBe(false);
  });
  // A session whose IdP never said when the person authenticated cannot prove a fresh sign-in.
  it('refuses an unknown, unparseable or far-future time', () => {
    expect(isFreshSignIn(undefined, now, 300)).toBe(false);
    expect(isFreshSignIn('yesterday', now, 300)).toBe(false);
    expect(isFreshSignIn('2026-12-07T13:00:00Z', now, 300)).toBe(false);
  });
});

describe('SAML step-up', () => {
  it('asks the IdP to authenticate again (ForceAuthn="true") only for a step-up', async () => {
    const key = generateSigningMaterial('test');
    const sp = createSamlServiceProvider({
      ssoUrl: 'https://idp.example.com/sso',
      idpIssuer: 'https://idp.example.com',
      idpCert: key.certificatePem,
      spEntityId: 'https://rolegate.example.com/auth/saml/metadata',
      acsUrl: 'https://rolegate.example.com/auth/saml/acs',
      groupsAttribute: 'groups',
      emailAttribute: 'email',
      requireSigned: null,
      allowIdpInitiated: false,
      clockSkewMs: 60_000,
      maxAssertionAgeSeconds: 600,
    } as Parameters<typeof createSamlServiceProvider>[0]);
    const request = async (forceAuthn: boolean) => {
      const url = new URL(await sp.loginUrl('_req1', { forceAuthn }));
      return inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    };
    expect(await request(true)).toContain('ForceAuthn="true"');
    expect(await request(false)).not.toContain('ForceAuthn');
  });
});
