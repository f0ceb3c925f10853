import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, revocationPolicyArnIn, SANDBOX_DEVELOPER, startStack, testPerson, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { listBuckets as listBucketsAt, type SessionCredentials } from './support/s3.js';

/*
 * The revocation worker against the emulator's IAM: throttling and failures
 * (retried, visible, then applied), a full policy (the loud role-wide
 * fallback), a missing policy (created), and two replicas writing one
 * account's policy (never conflicting versions).
 */

const ACCOUNT = '111111111111';
const POLICY = revocationPolicyArnIn(ACCOUNT);
const eve = testPerson('rw-eve', ['engineers']);
const fay = testPerson('rw-fay', ['engineers']);
const admin = testPerson('rw-admin', ['platform-admins']);

type Creds = SessionCredentials;

const listBuckets = (stack: Stack, creds: Creds) => listBucketsAt(stack.aws.s3Url, creds);

async function cliGrant(stack: Stack, b: TestBrowser): Promise<{ id: string; creds: Creds }> {
  const mappingId = await stack.mappingId(`arn:aws:iam::${ACCOUNT}:role/Developer`);
  const res = await b.post('/api/grants', { entitlementId: mappingId, kind: 'cli', durationSeconds: 3600 });
  expect(res.status, res.text).toBe(201);
  return { id: res.json().grant.id, creds: res.json().credentials };
}

const rowOf = async (stack: Stack, grantId: string) => (await stack.sql.query(`SELECT * FROM revocations WHERE grant_id = $1`, [grantId])).rows[0];

describe('with the worker driven by hand', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER, extraUsers: [eve, fay, admin], revocations: { autoStart: false, retryBaseMs: 1500 } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('keeps a revocation requested while IAM throttles, shows the error to admins, retries with backoff and applies it', async () => {
    const eveB = await stack.signIn(eve.username);
    const g = await cliGrant(stack, eveB);
    stack.aws.setFault('CreatePolicyVersion', { kind: 'throttle' });
    try {
      expect((await eveB.post(`/api/grants/${g.id}/revoke`, {})).status).toBe(202);
      const first = await stack.revocationWorker!.runOnce();
      expect(first.get(ACCOUNT)).toMatchObject({ kind: 'failed' });
      const row = await rowOf(stack, g.id);
      expect(row).toMatchObject({ state: 'requested', attempts: 1 });
      expect(row.last_error).toMatch(/Throttling/);
      expect(row.next_attempt_at.getTime()).toBeGreaterThan(row.created_at.getTime());
      // Not due again before its backoff (1.5 s, long enough for a loaded machine): a pass right now leaves it alone.
      expect((await stack.revocationWorker!.runOnce()).get(ACCOUNT)).toBeUndefined();

      const adminB = await stack.signIn(admin.username);
      const seen = (await adminB.get('/api/admin/revocations?status=requested')).json().items.find((i: { target: string }) => i.target === g.id);
      expect(seen).toMatchObject({ status: 'requested', attempts: 1, error: expect.stringMatching(/Throttling/) });
      expect(await listBuckets(stack, g.creds)).toEqual([bucketOf(ACCOUNT)]);

      stack.aws.setFault('CreatePolicyVersion', { kind: 'http5xx', status: 500 });
      await expect.poll(async () => (await stack.revocationWorker!.runOnce()).get(ACCOUNT)?.kind, { timeout: 30_000, interval: 250 }).toBe('failed');
      expect((await rowOf(stack, g.id)).attempts).toBe(2);
    } finally {
      stack.aws.setFault('CreatePolicyVersion', null);
    }
    await expect.poll(async () => (await stack.revocationWorker!.runOnce()).get(ACCOUNT)?.kind, { timeout: 30_000, interval: 250 }).toBe('applied');
    const row = await rowOf(stack, g.id);
    expect(row).toMatchObject({ state: 'applied', attempts: 3, last_error: null });
    expect(row.policy_version).toBe(stack.aws.managedPolicy(POLICY)!.defaultVersionId);
    expect(await listBuckets(stack, g.creds)).toBe('AccessDenied');
    const adminB = await stack.signIn(admin.username);
    const seen = (await adminB.get('/api/admin/revocations')).json().items.find((i: { target: string }) => i.target === g.id);
    expect(seen).toMatchObject({ status: 'applied', error: null, policyVersions: [row.policy_version] });
  });

  it('keeps at most five versions, deleting the oldest non-default ones', async () => {
    const eveB = await stack.signIn(eve.username);
    for (let i = 0; i < 4; i++) {
      const g = await cliGrant(stack, eveB);
      await eveB.post(`/api/grants/${g.id}/revoke`, {});
      expect((await stack.revocationWorker!.runOnce()).get(ACCOUNT)).toMatchObject({ kind: 'applied' });
    }
    const policy = stack.aws.managedPolicy(POLICY)!;
    expect(policy.versions.length).toBeLessThanOrEqual(5);
    expect(stack.aws.countCalls('DeletePolicyVersion')).toBeGreaterThanOrEqual(1);
    // The default version holds every revoked grant so far.
    const revoked = (await stack.sql.query(`SELECT grant_id FROM revocations WHERE state = 'applied'`)).rows.map((r) => r.grant_id);
    const doc = policy.versions.find((v) => v.isDefault)!.document;
    for (const id of revoked) expect(doc).toContain(id);
  });

  it('when the entries do not fit, writes the role-wide TokenIssueTime fallback loudly instead of failing to revoke', async () => {
    const eveB = await stack.signIn(eve.username);
    const fayB = await stack.signIn(fay.username);
    const bystander = await cliGrant(stack, fayB);
    const g = await cliGrant(stack, eveB);
    // 170 live grant revocations in the account: more ids than 6,144 characters hold.
    await stack.sql.query(
      `INSERT INTO revocations (id, batch_id, kind, account_id, grant_id, requested_by_email, reason, expires_at)
       SELECT gen_random_uuid(), gen_random_uuid(), 'grant', $1, gen_random_uuid(), 'load@example.com', 'load', now() + interval '1 hour'
       FROM generate_series(1, 170)`,
      [ACCOUNT],
    );
    expect((await eveB.post(`/api/grants/${g.id}/revoke`, {})).status).toBe(202);
    const result = await stack.revocationWorker!.runOnce();
    expect(result.get(ACCOUNT)).toMatchObject({ kind: 'applied', level: 'fallback' });

    const doc = JSON.parse(stack.aws.managedPolicy(POLICY)!.versions.find((v) => v.isDefault)!.document);
    expect(doc.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Condition: { DateLessThan: { 'aws:TokenIssueTime': expect.any(String) } } })]);
    expect(await listBuckets(stack, g.creds)).toBe('AccessDenied');
    // Role-wide: the bystander's older session goes too (AWS's "revoke active sessions").
    expect(await listBuckets(stack, bystander.creds)).toBe('AccessDenied');
    expect(await rowOf(stack, g.id)).toMatchObject({ state: 'applied', fallback: true });
    expect(stack.logLines.some((l) => l.includes('"level":50') && l.includes('revocation policy full'))).toBe(true);

    const adminB = await stack.signIn(admin.username);
    const seen = (await adminB.get('/api/admin/revocations')).json().items.find((i: { target: string }) => i.target === g.id);
    expect(seen).toMatchObject({ status: 'applied', fallback: true });

    // A session issued after the fallback's cut-off works.
    const cutOff = new Date(doc.Statement[0].Condition.DateLessThan['aws:TokenIssueTime']).getTime();
    await expect.poll(() => Date.now() >= cutOff, { timeout: 5000 }).toBe(true);
    const later = await cliGrant(stack, fayB);
    expect(await listBuckets(stack, later.creds)).toEqual([bucketOf(ACCOUNT)]);
  });
});

describe('an account without the policy yet', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER, extraUsers: [eve], revocations: { autoStart: false, seedPolicies: false } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('creates it with the revocation as its first version', async () => {
    const eveB = await stack.signIn(eve.username);
    const g = await cliGrant(stack, eveB);
    expect(stack.aws.managedPolicy(POLICY)).toBeUndefined();
    await eveB.post(`/api/grants/${g.id}/revoke`, {});
    expect((await stack.revocationWorker!.runOnce()).get(ACCOUNT)).toEqual({ kind: 'applied', versionId: 'v1', level: 'exact', entries: 1 });
    expect(stack.aws.countCalls('CreatePolicy')).toBe(1);
    expect(stack.aws.managedPolicy(POLICY)!.versions[0]!.document).toContain(g.id);
    expect(await rowOf(stack, g.id)).toMatchObject({ state: 'applied', policy_version: 'v1' });
  });
});

describe('two replicas', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER, extraUsers: [eve, fay], revocations: { autoStart: false } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('never write conflicting policy versions: passes started together on both replicas write once, every version holds every entry an earlier one held', async () => {
    const second = await stack.startInstance();
    const workers = [stack.revocationWorker!, second.revocationWorker!];
    const eveB = await stack.signIn(eve.username);
    const otherB = second.browser();
    otherB.jar.store(eveB.jar.header()!.split('; '));
    otherB.csrfToken = eveB.csrfToken;
    const grants: { id: string; creds: Creds }[] = [];
    for (let i = 0; i < 8; i++) grants.push(await cliGrant(stack, eveB));
    stack.aws.clearLog();
    // A slow IAM: unserialised passes would both list the same versions, then delete and create past them.
    stack.aws.setFault('ListPolicyVersions', { kind: 'delay', ms: 100 });
    try {
      for (const [i, g] of grants.entries()) {
        expect((await (i % 2 ? otherB : eveB).post(`/api/grants/${g.id}/revoke`, {})).status).toBe(202);
        const results = await Promise.all(workers.map((w) => w.passAccount(ACCOUNT)));
        // One replica writes; the other finds the account taken (null) or nothing left to do.
        expect(
          results.filter((r) => r?.kind === 'applied'),
          `pass ${i}: ${JSON.stringify(results)}`,
        ).toHaveLength(1);
      }
    } finally {
      stack.aws.setFault('ListPolicyVersions', null);
    }
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM revocations WHERE state = 'applied'`)).rows[0].n).toBe(8);
    const written = stack.aws.requests.filter((r) => r.action === 'CreatePolicyVersion' && r.status === 200).map((r) => r.params.PolicyDocument!);
    expect(written).toHaveLength(8);
    const idsIn = (doc: string) => new Set(grants.map((g) => g.id).filter((id) => doc.includes(id)));
    for (let i = 1; i < written.length; i++) {
      for (const id of idsIn(written[i - 1]!)) expect(idsIn(written[i]!).has(id), `version ${i + 1} dropped ${id}`).toBe(true);
    }
    expect(idsIn(written.at(-1)!).size).toBe(8);
    expect(stack.aws.requests.filter((r) => r.service === 'iam' && r.status >= 400).map((r) => `${r.action} ${r.errorCode}`)).toEqual([]);
    expect(stack.aws.managedPolicy(POLICY)!.versions.length).toBeLessThanOrEqual(5);
    for (const g of grants) expect(await listBuckets(stack, g.creds)).toBe('AccessDenied');
  });

  it('a burst through both replicas with both workers running ends with every revocation in the default version', async () => {
    const second = await stack.startInstance();
    for (const w of [stack.revocationWorker!, second.revocationWorker!]) w.start(20);
    const fayB = await stack.signIn(fay.username);
    const grants: { id: string; creds: Creds }[] = [];
    for (let i = 0; i < 6; i++) grants.push(await cliGrant(stack, fayB));
    const otherB = second.browser();
    otherB.jar.store(fayB.jar.header()!.split('; '));
    otherB.csrfToken = fayB.csrfToken;
    await Promise.all(grants.map((g, i) => (i % 2 ? otherB : fayB).post(`/api/grants/${g.id}/revoke`, {})));
    await expect
      .poll(async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM revocations WHERE state = 'requested'`)).rows[0].n, { timeout: 10_000 })
      .toBe(0);
    const doc = stack.aws.managedPolicy(POLICY)!.versions.find((v) => v.isDefault)!.document;
    for (const g of grants) expect(doc).toContain(g.id);
    for (const g of grants) expect(await listBuckets(stack, g.creds)).toBe('AccessDenied');
  });
});
