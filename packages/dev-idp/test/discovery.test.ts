import { afterEach, describe, expect, it } from 'vitest';
import type { DevOidcProvider } from '../src/index.js';
import { startIdp, testClient } from './helpers.js';

describe('discovery', () => {
  let idp: DevOidcProvider | undefined;
  afterEach(async () => {
    await idp?.close();
    idp = undefined;
  });

  it('publishes the issuer, the JWKS and S256 as the only PKCE method', async () => {
    idp = await startIdp(testClient());
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc['issuer']).toBe(idp.issuer);
    expect(doc['jwks_uri']).toBe(`${idp.issuer}/jwks`);
    expect(doc['code_challenge_methods_supported']).toEqual(['S256']);
    expect(doc['response_types_supported']).toEqual(['code']);
    expect(doc['id_token_signing_alg_values_supported']).toEqual(['RS256']);
    expect(doc['scopes_supported']).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'groups']));
    expect(doc['claims_supported']).toEqual(expect.arrayContaining(['sub', 'email', 'groups', 'preferred_username']));

    const jwks = (await (await fetch(doc['jwks_uri'] as string)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    // Only the public half is published.
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('mounts below issuerPath', async () => {
    idp = await startIdp(testClient(), '/oidc');
    expect(idp.issuer).toMatch(/\/oidc$/);
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc['issuer']).toBe(idp.issuer);
    expect(doc['authorization_endpoint']).toBe(`${idp.issuer}/auth`);
  });

  it('gives each demo user a random url-safe password', async () => {
    idp = await startIdp(testClient());
    const other = await startIdp(testClient());
    try {
      expect(idp.users.map((u) => u.username)).toEqual(['alice', 'bob', 'carol', 'erin', 'ada']);
      for (const [i, user] of idp.users.entries()) {
        expect(user.password).toMatch(/^[A-Za-z0-9_-]{10,}$/);
        expect(user.password).not.toBe(other.users[i]?.password);
      }
    } finally {
      await other.close();
    }
  });
});
