import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { startDemoEnvironment } from '../../demo.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const prod = {
  SESSION_SECRET: 's'.repeat(40),
  DATABASE_URL: 'postgresql://db/rolegate',
  PUBLIC_URL: 'https://rolegate.example.com',
  SAML_IDP_SSO_URL: 'https://idp.example.com/sso',
  SAML_IDP_ISSUER: 'https://idp.example.com',
  SAML_IDP_CERT: PEM,
};

function problems(env: Record<string, string>): string[] {
  const err = (() => {
    try {
      loadConfig(env);
    } catch (e) {
      return e;
    }
    return null;
  })();
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems;
}

describe('SAML configuration', () => {
  it('configures SAML alone (no OIDC) with the documented defaults', () => {
    const c = loadConfig(prod);
    expect(c.demo).toBe(false);
    expect(c.oidc).toBeNull();
    expect(c.saml).toEqual({
      ssoUrl: 'https://idp.example.com/sso',
      idpIssuer: 'https://idp.example.com',
      idpCert: PEM,
      spEntityId: 'https://rolegate.example.com/auth/saml/metadata',
      acsUrl: 'https://rolegate.example.com/auth/saml/acs',
      groupsAttribute: 'groups',
      emailAttribute: 'email',
      requireSigned: null,
      allowIdpInitiated: false,
      allowSha1: false,
      clockSkewMs: 60_000,
      maxAssertionAgeSeconds: 600,
    });
  });

  it('reads the certificate from a file path', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'rg-saml-')), 'idp.pem');
    writeFileSync(file, PEM);
    expect(loadConfig({ ...prod, SAML_IDP_CERT: file }).saml?.idpCert).toBe(PEM);
    expect(problems({ ...prod, SAML_IDP_CERT: '/nonexistent/idp.pem' })).toEqual([expect.stringMatching(/^SAML_IDP_CERT:/)]);
  });

  it('refuses plain http SSO URLs except on loopback, partial settings and bad enums', () => {
    expect(problems({ ...prod, SAML_IDP_SSO_URL: 'http://idp.example.com/sso' })).toEqual([expect.stringMatching(/^SAML_IDP_SSO_URL: .*https/)]);
    expect(loadConfig({ ...prod, SAML_IDP_SSO_URL: 'http://127.0.0.1:9401/saml/sso' }).saml?.ssoUrl).toBe('http://127.0.0.1:9401/saml/sso');
    expect(problems({ ...prod, SAML_IDP_ISSUER: '' }).join()).toMatch(/SAML_IDP_ISSUER/);
    expect(problems({ ...prod, SAML_REQUIRE_SIGNED: 'either' }).join()).toMatch(/SAML_REQUIRE_SIGNED/);
    expect(loadConfig({ ...prod, SAML_REQUIRE_SIGNED: 'both', SAML_ALLOW_IDP_INITIATED: '1', SAML_ALLOW_SHA1: '1' }).saml).toMatchObject({
      requireSigned: 'both',
      allowIdpInitiated: true,
      allowSha1: true,
    });
  });

  it('still defaults to demo mode when neither OIDC nor SAML is configured', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({}).saml).toBeNull();
  });

  it('demo mode starts the demo SAML IdP and configures SAML next to OIDC', async () => {
    const demo = await startDemoEnvironment({ publicUrl: 'http://localhost:3999' });
    try {
      const c = loadConfig(demo.env);
      expect(c.oidc).not.toBeNull();
      expect(c.saml).toMatchObject({ idpIssuer: demo.samlIdp.entityId, ssoUrl: demo.samlIdp.ssoUrl });
      expect(new URL(demo.samlIdp.ssoUrl).hostname).toBe('localhost');
      expect(demo.samlIdp.users).toBe(demo.idp.users);
    } finally {
      await demo.close();
    }
  });
});
