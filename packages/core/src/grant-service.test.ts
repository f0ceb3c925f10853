import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { createGrantService, GRANT_ID_TAG, type GrantRequest } from './grant-service.js';
import type { RoleMapping } from './mapping.js';
import {
  UpstreamError,
  type AssumeRoleInput,
  type FederationPort,
  type GrantRecord,
  type GrantStore,
  type MappingSource,
  type NewGrant,
  type StsPort,
  type TemporaryCredentials,
} from './ports.js';
import type { Principal } from './principal.js';
import { sessionNameFor } from './session-name.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const CONSOLE_URL = 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=fake';

function mapping(over: Partial<RoleMapping> & Pick<RoleMapping, 'id' | 'accountId' | 'roleArn'>): RoleMapping {
  return {
    group: 'admins',
    accountName: `acct-${over.accountId}`,
    maxDurationSeconds: 43200,
    requireReason: false,
    description: '',
    enabled: true,
    ...over,
  };
}

const MAPPINGS: RoleMapping[] = [
  mapping({ id: 'm-admin', accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/Admin' }),
  mapping({
    id: 'm-deploy',
    accountId: '222222222222',
    roleArn: 'arn:aws:iam::222222222222:role/team/ci/Deploy',
    maxDurationSeconds: 7200,
    requireReason: true,
  }),
  mapping({ id: 'm-disabled', accountId: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/Old', enabled: false }),
  mapping({ id: 'm-finance', accountId: '444444444444', roleArn: 'arn:aws:iam::444444444444:role/Finance', group: 'finance' }),
  mapping({ id: 'm-gov', accountId: '555555555555', roleArn: 'arn:aws-us-gov:iam::555555555555:role/GovAdmin' }),
];

const alice: Principal = {
  userId: 'user-1',
  email: 'alice@example.com',
  displayName: 'Alice',
  subject: 'idp|alice',
  idp: 'oidc',
  groups: ['dev', 'admins'],
};

const ctx = { clientIp: '203.0.113.7', userAgent: 'vitest' };

interface Options {
  roleChained?: boolean;
  insertError?: unknown;
  stsError?: unknown;
  federationError?: unknown;
  markIssuedError?: unknown;
  markFailedError?: unknown;
}

/** Fakes for every port, writing one ordered event log. */
function setup(opts: Options = {}) {
  const events: string[] = [];
  const rows = new Map<string, GrantRecord>();
  const stsCalls: { input: AssumeRoleInput; rowAtCall: GrantRecord | undefined }[] = [];
  const federationCalls: Parameters<FederationPort['signInUrl']>[0][] = [];
  const issuedCredentials: TemporaryCredentials = {
    accessKeyId: 'ASIAFAKEKEY',
    secretAccessKey: 'fake-secret',
    sessionToken: 'fake-session-token',
    expiration: new Date('2026-01-01T01:00:00Z'),
  };
  let seq = 0;

  const grants: GrantStore = {
    async insert(g: NewGrant) {
      if (opts.insertError) {
        events.push(`insert:${g.status}:failed`);
        throw opts.insertError;
      }
      const row: GrantRecord = {
        ...g,
        id: `grant-${++seq}`,
        createdAt: NOW,
        expiresAt: null,
        stsRequestId: null,
        accessKeyId: null,
        error: g.error ?? null,
      };
      rows.set(row.id, structuredClone(row)); // committed before resolving
      events.push(`insert:${g.status}`);
      return structuredClone(row);
    },
    async markIssued(pending, outcome) {
      events.push('markIssued');
      if (opts.markIssuedError) throw opts.markIssuedError;
      const row = rows.get(pending.id);
      if (!row) throw new Error(`no row ${pending.id}`);
      Object.assign(row, { status: 'issued', ...outcome });
      return structuredClone(row);
    },
    async markFailed(pending, outcome) {
      events.push('markFailed');
      if (opts.markFailedError) throw opts.markFailedError;
      const row = rows.get(pending.id);
      if (!row) throw new Error(`no row ${pending.id}`);
      Object.assign(row, { status: 'failed', ...outcome });
      return structuredClone(row);
    },
  };

  const mappings: MappingSource = {
    async findById(id) {
      return MAPPINGS.find((m) => m.id === id) ?? null;
    },
    async listEnabled() {
      return MAPPINGS.filter((m) => m.enabled);
    },
  };

  const sts: StsPort = {
    async assumeRole(input) {
      events.push('sts.assumeRole');
      const grantId = input.tags[GRANT_ID_TAG];
      stsCalls.push({ input, rowAtCall: grantId ? structuredClone(rows.get(grantId)) : undefined });
      if (opts.stsError) throw opts.stsError;
      return { credentials: issuedCredentials, requestId: 'sts-req-1', assumedRoleArn: `${input.roleArn}/${input.roleSessionName}` };
    },
    async isRoleChained() {
      return opts.roleChained ?? false;
    },
  };

  const federation: FederationPort = {
    async signInUrl(input) {
      events.push('federation.signInUrl');
      federationCalls.push(input);
      if (opts.federationError) throw opts.federationError;
      return CONSOLE_URL;
    },
  };

  const service = createGrantService({ mappings, grants, sts, federation });
  return { service, events, rows, stsCalls, federationCalls, issuedCredentials };
}

const dbDown = () => new AppError('DATABASE_UNAVAILABLE', 'The database is unavailable; nothing was changed');

describe('requestGrant: console grant', () => {
  it('commits the pending row, then calls STS, then federation, then records the outcome', async () => {
    const h = setup();
    const result = await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx);

    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'federation.signInUrl', 'markIssued']);
    expect(h.stsCalls).toHaveLength(1);
    // The row the STS call is tagged with was already committed, as pending.
    expect(h.stsCalls[0]?.rowAtCall).toMatchObject({ status: 'pending', roleArn: 'arn:aws:iam::111111111111:role/Admin' });
    expect(result.consoleUrl).toBe(CONSOLE_URL);
    expect(result.credentials).toBeUndefined();
    expect(result.grant.status).toBe('issued');
  });

  it('calls AssumeRole with the mapping ARN, the deterministic session name and the grant id tag', async () => {
    const h = setup();
    const result = await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx);

    const [row] = [...h.rows.values()];
    expect(h.rows.size).toBe(1);
    const expectedName = sessionNameFor('alice@example.com');
    expect(expectedName).toBe('alice@example.com');
    expect(h.stsCalls[0]?.input).toEqual({
      roleArn: 'arn:aws:iam::111111111111:role/Admin',
      roleSessionName: expectedName,
      sourceIdentity: expectedName,
      durationSeconds: 3600,
      tags: { [GRANT_ID_TAG]: row?.id },
    });
    expect(GRANT_ID_TAG).toBe('rolegate:grant-id');
    expect(result.grant.id).toBe(row?.id);
  });

  it('records who asked, from where, for which role, and the STS outcome', async () => {
    const h = setup();
    await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console', durationSeconds: 1800, reason: 'incident 42' }, ctx);

    const [row] = [...h.rows.values()];
    expect(row).toMatchObject({
      user: { id: 'user-1', email: 'alice@example.com', subject: 'idp|alice', idp: 'oidc' },
      groups: ['dev', 'admins'],
      mappingId: 'm-admin',
      accountId: '111111111111',
      roleArn: 'arn:aws:iam::111111111111:role/Admin',
      roleSessionName: 'alice@example.com',
      sourceIdentity: 'alice@example.com',
      kind: 'console',
      durationSeconds: 1800,
      reason: 'incident 42',
      clientIp: '203.0.113.7',
      userAgent: 'vitest',
      status: 'issued',
      stsRequestId: 'sts-req-1',
      accessKeyId: 'ASIAFAKEKEY',
      expiresAt: h.issuedCredentials.expiration,
      error: null,
    });
    // Secrets are not part of the row.
    expect(JSON.stringify(row)).not.toContain('fake-secret');
    expect(JSON.stringify(row)).not.toContain('fake-session-token');
  });

  it('passes the credentials, mapping ARN, console home and session duration to federation', async () => {
    const h = setup();
    await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console', durationSeconds: 7200 }, ctx);
    expect(h.federationCalls).toEqual([
      {
        credentials: h.issuedCredentials,
        roleArn: 'arn:aws:iam::111111111111:role/Admin',
        destination: 'https://console.aws.amazon.com/',
        sessionDurationSeconds: 7200,
      },
    ]);
  });

  it('passes an allowed regional console destination through', async () => {
    const h = setup();
    await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console', destination: 'https://eu-west-1.console.aws.amazon.com/ec2/home' }, ctx);
    expect(h.federationCalls[0]?.destination).toBe('https://eu-west-1.console.aws.amazon.com/ec2/home');
  });

  it('uses the partition of the mapping ARN for the default destination', async () => {
    const h = setup();
    await h.service.requestGrant(alice, { entitlementId: 'm-gov', kind: 'console' }, ctx);
    expect(h.federationCalls[0]?.destination).toBe('https://console.amazonaws-us-gov.com/');
  });

  it('ignores a role ARN smuggled into the request: the ARN comes from the mapping', async () => {
    const h = setup();
    const req = { entitlementId: 'm-admin', kind: 'console', roleArn: 'arn:aws:iam::999999999999:role/Evil' } as GrantRequest;
    await h.service.requestGrant(alice, req, ctx);
    expect(h.stsCalls[0]?.input.roleArn).toBe('arn:aws:iam::111111111111:role/Admin');
    expect(h.federationCalls[0]?.roleArn).toBe('arn:aws:iam::111111111111:role/Admin');
  });

  it('derives the session name from the subject when there is no email', async () => {
    const h = setup();
    await h.service.requestGrant({ ...alice, email: '' }, { entitlementId: 'm-admin', kind: 'cli' }, ctx);
    // The subject 'idp|alice' has a refused character: the name keeps its readable part and a digest of the whole.
    expect(h.stsCalls[0]?.input.roleSessionName).toBe(sessionNameFor(alice.subject));
    expect(h.stsCalls[0]?.input.roleSessionName).toMatch(/^idp-alice-[0-9a-f]{12}$/);
    expect(h.stsCalls[0]?.input.sourceIdentity).toBe(h.stsCalls[0]?.input.roleSessionName);
  });
});

describe('requestGrant: cli grant', () => {
  it('returns the credentials and no console URL, without calling federation', async () => {
    const h = setup();
    const result = await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'cli' }, ctx);

    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'markIssued']);
    expect(result.credentials).toEqual(h.issuedCredentials);
    expect(result.consoleUrl).toBeUndefined();
    expect(h.federationCalls).toHaveLength(0);
    expect(result.grant).toMatchObject({ status: 'issued', kind: 'cli', accessKeyId: 'ASIAFAKEKEY' });
  });
});

describe('requestGrant: not entitled', () => {
  it.each([
    ['an unknown entitlement id', alice, 'no-such-mapping'],
    ['a mapping for another group', alice, 'm-finance'],
    ['a disabled mapping', alice, 'm-disabled'],
    ['a case-folded group', { ...alice, groups: ['Admins'] }, 'm-admin'],
    ['a padded group', { ...alice, groups: [' admins', 'admins '] }, 'm-admin'],
    ['a comma-joined group', { ...alice, groups: ['dev,admins'] }, 'm-admin'],
  ])('refuses %s with NOT_ENTITLED, one denied row and no STS call', async (_label, principal, entitlementId) => {
    const h = setup();
    await expect(h.service.requestGrant(principal, { entitlementId, kind: 'console' }, ctx)).rejects.toMatchObject({
      code: 'NOT_ENTITLED',
    });
    expect(h.stsCalls).toHaveLength(0);
    expect(h.federationCalls).toHaveLength(0);
    expect(h.events).toEqual(['insert:denied']);
    const rows = [...h.rows.values()];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'denied', error: 'NOT_ENTITLED', user: { id: 'user-1' } });
  });

  it('records the mapping it was refused for, or nulls for an unknown id', async () => {
    const h = setup();
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-finance', kind: 'cli' }, ctx)).rejects.toBeInstanceOf(AppError);
    await expect(h.service.requestGrant(alice, { entitlementId: 'nope', kind: 'cli' }, ctx)).rejects.toBeInstanceOf(AppError);
    const [known, unknown] = [...h.rows.values()];
    expect(known).toMatchObject({ mappingId: 'm-finance', accountId: '444444444444', roleArn: 'arn:aws:iam::444444444444:role/Finance' });
    expect(unknown).toMatchObject({ mappingId: null, accountId: null, roleArn: null });
  });

  it('fails with DATABASE_UNAVAILABLE when the denial cannot be recorded', async () => {
    const h = setup({ insertError: dbDown() });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-finance', kind: 'cli' }, ctx)).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
    });
    expect(h.stsCalls).toHaveLength(0);
  });
});

describe('requestGrant: bad input is refused before anything is written or AWS is called', () => {
  it.each([
    ['duration 899', { entitlementId: 'm-admin', kind: 'console', durationSeconds: 899 }, 'INVALID_DURATION'],
    ['duration 43201', { entitlementId: 'm-admin', kind: 'console', durationSeconds: 43201 }, 'INVALID_DURATION'],
    ['duration above the mapping maximum', { entitlementId: 'm-deploy', kind: 'cli', durationSeconds: 7201, reason: 'r' }, 'INVALID_DURATION'],
    ['fractional duration', { entitlementId: 'm-admin', kind: 'cli', durationSeconds: 3600.5 }, 'INVALID_DURATION'],
    ['NaN duration', { entitlementId: 'm-admin', kind: 'cli', durationSeconds: Number.NaN }, 'INVALID_DURATION'],
    ['missing reason', { entitlementId: 'm-deploy', kind: 'cli' }, 'REASON_REQUIRED'],
    ['blank reason', { entitlementId: 'm-deploy', kind: 'cli', reason: '  \t ' }, 'REASON_REQUIRED'],
    ['foreign destination', { entitlementId: 'm-admin', kind: 'console', destination: 'https://evil.com/' }, 'INVALID_DESTINATION'],
    ['http destination', { entitlementId: 'm-admin', kind: 'console', destination: 'http://console.aws.amazon.com/' }, 'INVALID_DESTINATION'],
    [
      'GovCloud console for a commercial role',
      { entitlementId: 'm-admin', kind: 'console', destination: 'https://console.amazonaws-us-gov.com/' },
      'INVALID_DESTINATION',
    ],
  ] as [string, GrantRequest, string][])('%s → %s (400)', async (_label, req, code) => {
    const h = setup();
    await expect(h.service.requestGrant(alice, req, ctx)).rejects.toMatchObject({ name: 'AppError', code });
    expect(h.rows.size).toBe(0);
    expect(h.events).toEqual([]);
    expect(h.stsCalls).toHaveLength(0);
  });

  it('accepts exactly the mapping maximum and a reason when one is required', async () => {
    const h = setup();
    await h.service.requestGrant(alice, { entitlementId: 'm-deploy', kind: 'cli', durationSeconds: 7200, reason: 'deploy hotfix' }, ctx);
    expect(h.stsCalls[0]?.input.durationSeconds).toBe(7200);
  });
});

describe('requestGrant: write-ahead audit', () => {
  it('makes no STS call when the pending row cannot be committed', async () => {
    const h = setup({ insertError: dbDown() });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx)).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
    });
    expect(h.events).toEqual(['insert:pending:failed']);
    expect(h.stsCalls).toHaveLength(0);
    expect(h.federationCalls).toHaveLength(0);
  });

  it('does not return the credentials when the outcome cannot be recorded (cli)', async () => {
    const h = setup({ markIssuedError: dbDown() });
    const p = h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'cli' }, ctx);
    await expect(p).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'markIssued']);
  });

  it('does not return the sign-in URL when the outcome cannot be recorded (console)', async () => {
    const h = setup({ markIssuedError: dbDown() });
    const p = h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx);
    await expect(p).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'federation.signInUrl', 'markIssued']);
  });
});

describe('requestGrant: AWS failures', () => {
  it('maps an STS error to AWS_STS_FAILED and marks the row failed', async () => {
    const h = setup({ stsError: new UpstreamError('sts', 'AccessDenied', 'not authorized to perform sts:AssumeRole', 'sts-req-9') });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx)).rejects.toMatchObject({
      name: 'AppError',
      code: 'AWS_STS_FAILED',
      details: { awsCode: 'AccessDenied' },
    });
    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'markFailed']);
    const [row] = [...h.rows.values()];
    expect(row).toMatchObject({ status: 'failed', error: 'sts:AccessDenied', stsRequestId: 'sts-req-9', accessKeyId: null });
  });

  it('records an unexpected STS error as aws:UnknownError', async () => {
    const h = setup({ stsError: new Error('socket hang up') });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'cli' }, ctx)).rejects.toMatchObject({
      code: 'AWS_STS_FAILED',
    });
    expect([...h.rows.values()][0]).toMatchObject({ status: 'failed', error: 'aws:UnknownError' });
  });

  it('maps a federation error to AWS_FEDERATION_FAILED and marks the row failed with the issued key', async () => {
    const h = setup({ federationError: new UpstreamError('federation', 'Timeout', 'getSigninToken timed out') });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx)).rejects.toMatchObject({
      code: 'AWS_FEDERATION_FAILED',
    });
    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'federation.signInUrl', 'markFailed']);
    const [row] = [...h.rows.values()];
    expect(row).toMatchObject({ status: 'failed', error: 'federation:Timeout', stsRequestId: 'sts-req-1', accessKeyId: 'ASIAFAKEKEY' });
  });

  it('rejects with DATABASE_UNAVAILABLE when the failure cannot be recorded', async () => {
    const h = setup({ stsError: new UpstreamError('sts', 'Throttling', 'slow down'), markFailedError: dbDown() });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'cli' }, ctx)).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
    });
  });
});

describe('requestGrant: role chaining', () => {
  it('omits SessionDuration from the federation call when role-chained', async () => {
    const h = setup({ roleChained: true });
    await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console' }, ctx);
    expect(h.stsCalls[0]?.input.durationSeconds).toBe(3600);
    expect(h.federationCalls).toHaveLength(1);
    expect(h.federationCalls[0]?.sessionDurationSeconds).toBeUndefined();
  });

  it('refuses durations above 3600 when role-chained, before any write or STS call', async () => {
    const h = setup({ roleChained: true });
    await expect(h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console', durationSeconds: 7200 }, ctx)).rejects.toMatchObject({
      code: 'INVALID_DURATION',
    });
    expect(h.rows.size).toBe(0);
    expect(h.stsCalls).toHaveLength(0);
  });

  it('allows 7200 when not role-chained', async () => {
    const h = setup({ roleChained: false });
    await h.service.requestGrant(alice, { entitlementId: 'm-admin', kind: 'console', durationSeconds: 7200 }, ctx);
    expect(h.stsCalls[0]?.input.durationSeconds).toBe(7200);
    expect(h.federationCalls[0]?.sessionDurationSeconds).toBe(7200);
  });
});

describe('requestGrantByRole', () => {
  it('finds the entitled mapping by account and role name', async () => {
    const h = setup();
    const result = await h.service.requestGrantByRole(alice, { accountId: '111111111111', roleName: 'Admin', kind: 'cli' }, ctx);
    expect(h.stsCalls[0]?.input.roleArn).toBe('arn:aws:iam::111111111111:role/Admin');
    expect(result.grant).toMatchObject({ mappingId: 'm-admin', status: 'issued' });
  });

  it('matches a role that has a path by its name', async () => {
    const h = setup();
    await h.service.requestGrantByRole(alice, { accountId: '222222222222', roleName: 'Deploy', kind: 'console', reason: 'release' }, ctx);
    expect(h.stsCalls[0]?.input.roleArn).toBe('arn:aws:iam::222222222222:role/team/ci/Deploy');
    expect(h.events).toEqual(['insert:pending', 'sts.assumeRole', 'federation.signInUrl', 'markIssued']);
  });

  it.each([
    ['a role of another group', '444444444444', 'Finance'],
    ['a disabled mapping', '333333333333', 'Old'],
    ['the right name in the wrong account', '222222222222', 'Admin'],
    ['a differently cased role name', '111111111111', 'admin'],
    ['an unknown role', '111111111111', 'Nope'],
  ])('records %s as denied and makes no STS call', async (_label, accountId, roleName) => {
    const h = setup();
    await expect(h.service.requestGrantByRole(alice, { accountId, roleName, kind: 'console' }, ctx)).rejects.toMatchObject({
      code: 'NOT_ENTITLED',
    });
    expect(h.stsCalls).toHaveLength(0);
    expect(h.events).toEqual(['insert:denied']);
    expect([...h.rows.values()]).toEqual([expect.objectContaining({ status: 'denied', error: 'NOT_ENTITLED', accountId, roleArn: null, mappingId: null })]);
  });

  it('does not store an account id that is not 12 digits', async () => {
    const h = setup();
    await expect(h.service.requestGrantByRole(alice, { accountId: '1111\r\n11111111', roleName: 'Admin', kind: 'cli' }, ctx)).rejects.toMatchObject({
      code: 'NOT_ENTITLED',
    });
    expect([...h.rows.values()][0]).toMatchObject({ status: 'denied', accountId: null });
  });
});

describe('entitlements', () => {
  it('lists enabled, exactly matching mappings in a stable order', async () => {
    const h = setup();
    expect((await h.service.entitlements(alice)).map((m) => m.id)).toEqual(['m-admin', 'm-deploy', 'm-gov']);
    expect(await h.service.entitlements({ ...alice, groups: ['Admins', 'dev,admins'] })).toEqual([]);
  });
});
