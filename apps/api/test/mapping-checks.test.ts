import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createRepositories, type Database } from '@rolegate/db';
import { createIamAdapter } from '../src/adapters/iam.js';
import { brokerPrincipalResolver } from '../src/services/admin-service.js';
import { createMappingCheckService } from '../src/services/mapping-check-service.js';
import { BROKER_ARN, METRICS_TOKEN, startStack, type Stack } from './support/stack.js';
import { TestBrowser } from './support/http-client.js';

/*
 * Trust and set-up checks (drift) against the AWS emulator's IAM: the broker
 * assumes each account's control role and reads the mapping's role with
 * GetRole and ListAttachedRolePolicies.
 */

const ACCT = '111111111111';
const OTHER = '222222222222';
const CONTROL = `arn:aws:iam::${ACCT}:role/RolegateControl`;
const REVOKE = `arn:aws:iam::${ACCT}:policy/RolegateRevocations`;
const role = (name: string, account = ACCT) => `arn:aws:iam::${account}:role/${name}`;
const GOOD = role('Good');
const NO_TAG = role('NoTag');
const SHORT = role('ShortSession');
const UNATTACHED = role('Unattached');
const WIDE = role('Wide');
const NO_CONTROL = role('Elsewhere', OTHER);

const MAPPINGS = `
accounts:
  - { id: "${ACCT}", name: sandbox, controlRoleArn: "${CONTROL}" }
  - { id: "${OTHER}", name: production }
mappings:
  - { group: engineers, roleArn: "${GOOD}", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "${NO_TAG}", maxDurationSeconds: 3600 }
  - { group: platform-admins, roleArn: "${NO_TAG}", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "${SHORT}", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "${UNATTACHED}", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "${WIDE}", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "${NO_CONTROL}", maxDurationSeconds: 3600 }
`;

const ALL_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];
const trust = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const brokerTrust = (Action: string | string[] = ALL_ACTIONS) => ({ Effect: 'Allow', Principal: { AWS: BROKER_ARN }, Action });
const allowAll = { Work: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

let stack: Stack;
let bob: TestBrowser; // platform-admins → admin
let alice: TestBrowser; // engineers → employee

/** The emulator's IAM holds the roles as each case needs them. */
function seedIam(s: Stack) {
  s.aws.addManagedPolicy({
    arn: REVOKE,
    document: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': ['none'] } } }],
    },
  });
  s.aws.addRole({
    arn: CONTROL,
    trustedPrincipals: [BROKER_ARN],
    inlinePolicies: {
      Control: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions', 'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion'],
            Resource: REVOKE,
          },
          { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListAttachedRolePolicies'], Resource: `arn:aws:iam::${ACCT}:role/*` },
        ],
      },
    },
  });
  const attached = { inlinePolicies: allowAll, attachedPolicyArns: [REVOKE] };
  s.aws.addRole({ arn: GOOD, maxSessionDuration: 43200, trustPolicy: trust(brokerTrust()), ...attached });
  s.aws.addRole({ arn: NO_TAG, maxSessionDuration: 43200, trustPolicy: trust(brokerTrust(['sts:AssumeRole', 'sts:SetSourceIdentity'])), ...attached });
  s.aws.addRole({ arn: SHORT, maxSessionDuration: 3600, trustPolicy: trust(brokerTrust('sts:*')), ...attached });
  s.aws.addRole({ arn: UNATTACHED, maxSessionDuration: 43200, trustPolicy: trust(brokerTrust()), inlinePolicies: allowAll });
  s.aws.addRole({
    arn: WIDE,
    maxSessionDuration: 43200,
    trustPolicy: trust(brokerTrust(), { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::999999999999:root'] }, Action: 'sts:AssumeRole' }),
    ...attached,
  });
}

async function check(mappingArn: string, group = 'engineers') {
  const id = await stack.mappingId(mappingArn, group);
  const res = await bob.post(`/api/admin/mappings/${id}/check`);
  return { id, res, body: res.json() };
}

async function storedRow(mappingId: string) {
  const r = await stack.sql.query<{ status: string; findings: { code: string }[]; error: string | null }>(
    `SELECT status, findings, error FROM mapping_checks WHERE mapping_id = $1`,
    [mappingId],
  );
  return r.rows[0] ?? null;
}

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  seedIam(stack);
  bob = await stack.signIn('bob');
  alice = await stack.signIn('alice');
});
afterAll(async () => {
  await stack?.close();
});

describe('POST /api/admin/mappings/:id/check', () => {
  it('passes a role set up as documented, reading it through the control role (AssumeRole, GetRole, ListAttachedRolePolicies)', async () => {
    stack.aws.clearLog();
    const { id, res, body } = await check(GOOD);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ mappingId: id, roleArn: GOOD, status: 'ok', ok: true, problems: [], fix: null, error: null });
    expect(body.checkedAt).toEqual(expect.any(String));
    const control = stack.aws.requests.filter((r) => r.action === 'AssumeRole' && r.params.RoleArn === CONTROL);
    expect(control.length).toBe(1);
    expect(stack.aws.countCalls('GetRole')).toBe(1);
    expect(stack.aws.countCalls('ListAttachedRolePolicies')).toBe(1);
    expect(await storedRow(id)).toMatchObject({ status: 'ok', findings: [], error: null });
  });

  it('flags a trust policy without sts:TagSession, with the statement to paste', async () => {
    const { id, res, body } = await check(NO_TAG);
    expect(res.status).toBe(200);
    expect(body.status).toBe('problems');
    expect(body.ok).toBe(false);
    expect(body.problems.map((p: { code: string }) => p.code)).toEqual(['TRUST_MISSING_TAG_SESSION']);
    expect(body.problems[0].message).toContain('sts:TagSession');
    expect(body.fix).toContain('"sts:TagSession"');
    expect(body.fix).toContain(BROKER_ARN);
    expect(body.fix).toContain('aws iam update-assume-role-policy --role-name NoTag');
    expect((await storedRow(id))?.findings.map((f) => f.code)).toEqual(['TRUST_MISSING_TAG_SESSION']);
  });

  it('flags MaxSessionDuration shorter than the mapping maximum', async () => {
    const { body } = await check(SHORT);
    expect(body.status).toBe('problems');
    expect(body.problems.map((p: { code: string }) => p.code)).toEqual(['MAX_SESSION_TOO_SHORT']);
    expect(body.fix).toContain('aws iam update-role --role-name ShortSession --max-session-duration 14400');
  });

  it('flags a role without the revocation policy attached', async () => {
    const { body } = await check(UNATTACHED);
    expect(body.problems.map((p: { code: string }) => p.code)).toEqual(['REVOCATION_POLICY_NOT_ATTACHED']);
    expect(body.fix).toBe(`aws iam attach-role-policy --role-name Unattached --policy-arn ${REVOKE}`);
  });

  it('flags a trust policy that also lets another account assume the role', async () => {
    const { body } = await check(WIDE);
    expect(body.status).toBe('problems');
    expect(body.problems.map((p: { code: string }) => p.code)).toEqual(['TRUST_UNEXPECTED_ACCOUNT']);
    expect(body.problems[0].message).toContain('999999999999');
  });

  it('cannot check an account without a control role: says so, calls no IAM', async () => {
    stack.aws.clearLog();
    const { id, res, body } = await check(NO_CONTROL);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'cannot_check', ok: false, problems: [] });
    expect(body.error).toContain(`Account ${OTHER} has no control role`);
    expect(stack.aws.countCalls('GetRole')).toBe(0);
    expect(await storedRow(id)).toMatchObject({ status: 'cannot_check' });
  });

  it('IAM throttled: the result says cannot check (no crash), and the next check succeeds', async () => {
    stack.aws.setFault('GetRole', { kind: 'throttle' });
    try {
      const { id, res, body } = await check(GOOD);
      expect(res.status).toBe(200);
      expect(body.status).toBe('cannot_check');
      expect(body.error).toMatch(/^IAM Throttling/);
      expect(await storedRow(id)).toMatchObject({ status: 'cannot_check' });
    } finally {
      stack.aws.setFault('GetRole', null);
    }
    expect((await check(GOOD)).body.status).toBe('ok');
  });

  it("a control role without iam:GetRole: cannot check, with IAM's AccessDenied as the reason", async () => {
    stack.aws.addRole({
      arn: CONTROL,
      trustedPrincipals: [BROKER_ARN],
      inlinePolicies: { Nothing: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetPolicy', Resource: REVOKE }] } },
    });
    try {
      const { body } = await check(GOOD);
      expect(body.status).toBe('cannot_check');
      expect(body.error).toMatch(/^IAM AccessDenied/);
    } finally {
      seedIam(stack);
    }
    expect((await check(GOOD)).body.status).toBe('ok');
  });

  it('is admin-only and needs the CSRF token; neither refusal writes a result', async () => {
    const id = await stack.mappingId(SHORT);
    await stack.sql.query(`DELETE FROM mapping_checks WHERE mapping_id = $1`, [id]);
    const asEmployee = await alice.post(`/api/admin/mappings/${id}/check`);
    expect(asEmployee.status).toBe(403);
    const noCsrf = await bob.post(`/api/admin/mappings/${id}/check`, undefined, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_INVALID');
    expect(await storedRow(id)).toBeNull();
    const missing = await bob.post(`/api/admin/mappings/00000000-0000-4000-8000-000000000000/check`);
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });
});

describe('stored results', () => {
  it('GET /api/admin/mappings/checks lists every mapping; another replica sees the same stored results', async () => {
    await check(NO_TAG);
    await check(GOOD);
    const id = await stack.mappingId(NO_TAG);
    const replica = await stack.startInstance();
    const admin = new TestBrowser(replica.baseUrl);
    admin.jar.store((bob.jar.header() ?? '').split('; '));
    const res = await admin.get('/api/admin/mappings/checks');
    expect(res.status).toBe(200);
    const items: { mappingId: string; status: string; problems: { code: string }[] }[] = res.json().items;
    expect(items.length).toBe(7);
    expect(items.find((c) => c.mappingId === id)).toMatchObject({ status: 'problems', problems: [{ code: 'TRUST_MISSING_TAG_SESSION' }] });
    expect(items.find((c) => c.mappingId === id)!.problems.length).toBe(1);
  });

  it('a result about an older role ARN or maximum reads as not checked', async () => {
    const id = await stack.mappingId(SHORT);
    await check(SHORT);
    await stack.sql.query(`UPDATE role_mappings SET max_duration_seconds = 3600 WHERE id = $1`, [id]);
    try {
      const items: { mappingId: string; status: string }[] = (await bob.get('/api/admin/mappings/checks')).json().items;
      expect(items.find((c) => c.mappingId === id)?.status).toBe('not_checked');
    } finally {
      await stack.sql.query(`UPDATE role_mappings SET max_duration_seconds = 14400 WHERE id = $1`, [id]);
    }
  });

  it('/metrics counts mappings by check status and findings by code', async () => {
    await check(NO_TAG);
    const text = await (await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(text).toMatch(/rolegate_mapping_checks\{status="problems"\} [1-9]/);
    expect(text).toMatch(/rolegate_mapping_check_findings\{code="TRUST_MISSING_TAG_SESSION"\} [1-9]/);
  });
});

describe('grants on a role that fails its check', () => {
  it('an admin refused by AWS is told the finding; an employee its code; the grant is recorded failed', async () => {
    await check(NO_TAG);
    await check(NO_TAG, 'platform-admins');
    const asAdmin = await bob.post('/api/grants', { entitlementId: await stack.mappingId(NO_TAG, 'platform-admins'), kind: 'cli' });
    expect(asAdmin.status).toBe(502);
    expect(asAdmin.json().error.details).toMatchObject({ awsCode: 'AccessDenied', checkFindings: ['TRUST_MISSING_TAG_SESSION'] });
    expect(asAdmin.json().error.message).toContain('TRUST_MISSING_TAG_SESSION: The trust policy of NoTag does not allow sts:TagSession');
    const asEmployee = await alice.post('/api/grants', { entitlementId: await stack.mappingId(NO_TAG), kind: 'cli' });
    expect(asEmployee.status).toBe(502);
    const error = asEmployee.json().error;
    expect(error.message).toContain('flagged this role (TRUST_MISSING_TAG_SESSION)');
    expect(error.message).not.toContain(BROKER_ARN);
    const rows = await stack.grantRows(`role_arn = $1`, [NO_TAG]);
    expect(rows.map((r) => [r.status, r.error])).toEqual([
      ['failed', 'sts:AccessDenied'],
      ['failed', 'sts:AccessDenied'],
    ]);
  });
});

describe('the periodic job', () => {
  let dbs: Database[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.close().catch(() => {});
    dbs = [];
  });

  /** A replica's check service: own pool, own IAM adapter (as main.ts builds it). */
  function replicaService() {
    const database = createDatabase({ url: stack.runtimeUrl, max: 2 });
    dbs.push(database);
    const repos = createRepositories(database);
    const iam = createIamAdapter({
      region: 'us-east-1',
      stsEndpoint: stack.aws.stsUrl,
      iamEndpoint: stack.aws.iamUrl,
      timeoutMs: 3000,
      revocationPolicyName: 'RolegateRevocations',
      controlRoleOf: async (id) => (await repos.adminMappings.findAccount(id))?.controlRoleArn ?? null,
      credentials: stack.brokerCredentials,
    });
    return createMappingCheckService({
      checks: repos.mappingChecks,
      mappings: repos.adminMappings,
      iam,
      brokerPrincipal: brokerPrincipalResolver(async () => BROKER_ARN, undefined),
      log: { info: () => {}, warn: () => {} },
    });
  }

  it('two replicas running at once check each due mapping once, and a second round finds nothing due', async () => {
    await stack.sql.query(`DELETE FROM mapping_checks`);
    stack.aws.clearLog();
    const [a, b] = [replicaService(), replicaService()];
    const opts = { intervalSeconds: 3600, leaseSeconds: 300, limit: 50 };
    const [na, nb] = await Promise.all([a.runDue(opts), b.runDue(opts)]);
    expect(na + nb).toBe(7);
    // Six mappings are in the account with a control role; the seventh is stored as cannot_check without IAM.
    expect(stack.aws.countCalls('GetRole')).toBe(6);
    const rows = await stack.sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM mapping_checks GROUP BY status ORDER BY status`);
    expect(rows.rows).toEqual([
      { status: 'cannot_check', n: 1 },
      { status: 'ok', n: 1 },
      { status: 'problems', n: 5 },
    ]);
    expect(await a.runDue(opts)).toBe(0);
    expect(stack.aws.countCalls('GetRole')).toBe(6);
  });
});
