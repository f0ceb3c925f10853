import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { newScimToken, scimBearerOf, scimTokenHash, scimTokenKey } from './tokens.js';

const prod = {
  SESSION_SECRET: 's'.repeat(40),
  OIDC_ISSUER: 'https://login.example.com',
  OIDC_CLIENT_ID: 'rolegate',
  OIDC_CLIENT_SECRET: 'secret',
  PUBLIC_URL: 'https://rolegate.example.com',
};

describe('SCIM configuration', () => {
  it('is off by default', () => {
    expect(loadConfig(prod).scim).toBeNull();
  });

  it('needs SCIM_TOKEN_SECRET (no default secret) and names the variable', () => {
    let problems: string[] = [];
    try {
      loadConfig({ ...prod, SCIM_ENABLED: 'true' });
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^SCIM_TOKEN_SECRET: is required when SCIM_ENABLED/)]);
  });

  it("refuses OIDC_REFRESH_GROUPS beside it (one truth for a CLI token's groups)", () => {
    expect(() => loadConfig({ ...prod, SCIM_ENABLED: '1', SCIM_TOKEN_SECRET: 'k'.repeat(32), OIDC_REFRESH_GROUPS: 'true' })).toThrow(
      /OIDC_REFRESH_GROUPS: cannot be on with SCIM_ENABLED/,
    );
  });

  it('reads the group settings, refusing unknown values', () => {
    const c = loadConfig({ ...prod, SCIM_ENABLED: '1', SCIM_TOKEN_SECRET: 'k'.repeat(32), SCIM_SIGNIN_GROUPS: 'intersect', SCIM_GROUP_NAME: 'externalId' });
    expect(c.scim).toEqual({ tokenSecret: 'k'.repeat(32), signInGroups: 'intersect', groupName: 'externalId', requestsPerIp: 1200, bodyLimit: '1mb' });
    expect(() => loadConfig({ ...prod, SCIM_ENABLED: '1', SCIM_TOKEN_SECRET: 'k'.repeat(32), SCIM_SIGNIN_GROUPS: 'union' })).toThrow(/SCIM_SIGNIN_GROUPS/);
  });
});

describe('SCIM tokens', () => {
  it('are 256-bit, recognisable, and hashed under a key only the server holds', () => {
    const t = newScimToken();
    expect(t).toMatch(/^rgscim_[A-Za-z0-9_-]{43}$/);
    expect(newScimToken()).not.toBe(t);
    const h = scimTokenHash(scimTokenKey('a'.repeat(32)), t);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(scimTokenHash(scimTokenKey('b'.repeat(32)), t)).not.toBe(h);
  });

  it('reads only well-formed bearer headers', () => {
    const t = newScimToken();
    expect(scimBearerOf(`Bearer ${t}`)).toBe(t);
    expect(scimBearerOf(`bearer ${t}`)).toBe(t);
    expect(scimBearerOf(undefined)).toBeNull();
    expect(scimBearerOf(`Basic ${t}`)).toBe('malformed');
    expect(scimBearerOf('Bearer short')).toBe('malformed');
  });
});
