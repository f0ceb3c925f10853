import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const prod = {
  SESSION_SECRET: 's'.repeat(40),
  OIDC_ISSUER: 'https://login.example.com',
  OIDC_CLIENT_ID: 'rolegate',
  OIDC_CLIENT_SECRET: 'secret',
  DATABASE_URL: 'postgresql://db/rolegate',
  PUBLIC_URL: 'https://rolegate.example.com',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a production configuration and freezes it', () => {
    const c = loadConfig({ ...prod, ADMIN_GROUPS: 'platform-admins,sec ops', AUDITOR_GROUPS: 'auditors' });
    expect(c.demo).toBe(false);
    expect(c.secureCookies).toBe(true);
    expect(c.adminGroups).toEqual(['platform-admins', 'sec ops']);
    expect(c.oidc).toMatchObject({ issuer: 'https://login.example.com', groupsClaim: 'groups', idTokenAlg: 'RS256' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('falls back to demo mode only when no IdP is configured', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({}).secureCookies).toBe(false);
  });

  it('requires SESSION_SECRET outside demo mode, with no default', () => {
    const { SESSION_SECRET: _omit, ...rest } = prod;
    expect(problems(rest)).toEqual([expect.stringMatching(/^SESSION_SECRET: /)]);
    expect(problems({ ...prod, SESSION_SECRET: 'short' })).toEqual([expect.stringMatching(/^SESSION_SECRET: .*32/)]);
  });

  it('refuses plain-http IdP and AWS endpoints except on loopback', () => {
    expect(problems({ ...prod, OIDC_ISSUER: 'http://idp.example.com' })).toEqual([expect.stringMatching(/^OIDC_ISSUER: .*https/)]);
    expect(problems({ ...prod, AWS_ENDPOINT_URL_STS: 'http://10.0.0.1:4566' })[0]).toMatch(/^AWS_ENDPOINT_URL_STS/);
    expect(loadConfig({ ...prod, OIDC_ISSUER: 'http://127.0.0.1:9400', FEDERATION_URL: 'http://localhost:4566/federation' }).oidc?.issuer).toBe(
      'http://127.0.0.1:9400',
    );
  });

  it('names every bad variable at once', () => {
    const list = problems({ ...prod, PORT: 'eighty', STS_TIMEOUT_MS: '-1', OIDC_CLIENT_SECRET: '', ROLEGATE_DEMO: 'maybe' });
    const names = list.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'STS_TIMEOUT_MS', 'ROLEGATE_DEMO']));
  });

  it('requires the whole OIDC triple once any part is set', () => {
    const list = problems({ SESSION_SECRET: 's'.repeat(40), OIDC_ISSUER: 'https://login.example.com' });
    expect(list).toEqual(expect.arrayContaining([expect.stringMatching(/^OIDC_CLIENT_ID/), expect.stringMatching(/^OIDC_CLIENT_SECRET/)]));
  });

  // Attack: a production image whose IdP variables went missing comes up as
  // the demo, with its own IdP and published passwords.
  it('refuses the implicit demo under NODE_ENV=production; the demo by name still starts, on loopback', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^OIDC_ISSUER: NODE_ENV=production and no identity provider/)]);
    const c = loadConfig({ NODE_ENV: 'production', ROLEGATE_DEMO: '1' });
    expect(c.demo).toBe(true);
    expect(c.host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production', ROLEGATE_DEMO: '1', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...prod, NODE_ENV: 'production' }).demo).toBe(false);
  });

  it('IAM settings: defaults, and a revocation policy name IAM would refuse stops the boot', () => {
    const c = loadConfig(prod);
    expect(c.aws).toMatchObject({ iamEndpoint: undefined, iamTimeoutMs: 10_000, revocationPolicyName: 'RolegateRevocations' });
    expect(c.mappingCheckIntervalSeconds).toBe(3600);
    const set = loadConfig({
      ...prod,
      AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:4566',
      REVOCATION_POLICY_NAME: 'Org.Revocations-1',
      MAPPING_CHECK_INTERVAL_SECONDS: '600',
    });
    expect(set.aws).toMatchObject({ iamEndpoint: 'http://127.0.0.1:4566', revocationPolicyName: 'Org.Revocations-1' });
    expect(set.mappingCheckIntervalSeconds).toBe(600);
    expect(problems({ ...prod, REVOCATION_POLICY_NAME: 'has space' })[0]).toMatch(/^REVOCATION_POLICY_NAME: must be an IAM policy name/);
    expect(problems({ ...prod, AWS_ENDPOINT_URL_IAM: 'http://iam.example.com' })[0]).toMatch(/^AWS_ENDPOINT_URL_IAM:/);
    expect(problems({ ...prod, MAPPING_CHECK_INTERVAL_SECONDS: '5' })[0]).toMatch(/^MAPPING_CHECK_INTERVAL_SECONDS:/);
  });
});
