import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { generateSigningMaterial } from '@rolegate/dev-idp';
import { createSamlServiceProvider } from '../src/auth/saml/sp.js';
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
    // The redirect comes from passport-saml's strategy, run by a real Express app.
    const saved: string[] = [];
    const cache = {
      saveAsync: async (key: string, value: string) => (saved.push(key), { value, createdAt: Date.now() }),
      getAsync: async () => null,
      removeAsync: async () => null,
    };
    const app = express();
    app.get('/login', async (req, res) => {
      await sp.redirectToIdp(req, res, { cache, forceAuthn: req.query.fresh === '1' });
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const request = async (forceAuthn: boolean) => {
      const res = await fetch(`http://127.0.0.1:${port}/login${forceAuthn ? '?fresh=1' : ''}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const url = new URL(res.headers.get('location')!);
      const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
      // The AuthnRequest id went through the cache provider (Postgres in the app).
      expect(xml).toContain(`ID="${saved.at(-1)}"`);
      return xml;
    };
    expect(await request(true)).toContain('ForceAuthn="true"');
    expect(await request(false)).not.toContain('ForceAuthn');
    server.close();
  });
});
