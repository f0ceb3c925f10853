import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, METRICS_TOKEN, revocationPolicyArnIn, startStack, testPerson, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { listBuckets as listBucketsAt, type SessionCredentials } from './support/s3.js';

/*
 * Revocation through the real parts: the broker writes revocation rows, its
 * worker writes the account's RolegateRevocations policy through the control
 * role at the emulator's IAM, and the emulator enforces that policy on S3
 * ListBuckets calls made with the sessions the broker issued.
 */

const TWO_ACCOUNTS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: prod }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Operator", maxDurationSeconds: 14400 }
  - { group: leads, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: oncall, roleArn: "arn:aws:iam::222222222222:role/Operator", maxDurationSeconds: 14400, access: approval, approvers: [leads], breakGlass: true }
`;

const ana = testPerson('rev-ana', ['engineers', 'oncall']);
const ben = testPerson('rev-ben', ['engineers']);
const cy = testPerson('rev-cy', ['engineers']);
const dee = testPerson('rev-dee', ['engineers']);
const lead = testPerson('rev-lead', ['leads']);
const admin = testPerson('rev-admin', ['platform-admins']);
const auditor = testPerson('rev-auditor', ['auditors']);

type Creds = SessionCredentials;

let stack: Stack;
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: TWO_ACCOUNTS, extraUsers: [ana, ben, cy, dee, lead, admin, auditor], revocations: { intervalMs: 200 } });
  ids = {
    Developer: await stack.mappingId('arn:aws:iam::111111111111:role/Developer', 'engineers'),
    Operator: await stack.mappingId('arn:aws:iam::222222222222:role/Operator', 'engineers'),
    OncallOperator: await stack.mappingId('arn:aws:iam::222222222222:role/Operator', 'oncall'),
  };
}, 60_000);
afterAll(async () => stack?.close());

const listBuckets = (creds: Creds) => listBucketsAt(stack.aws.s3Url, creds);

async function cliGrant(b: TestBrowser, role: 'Developer' | 'Operator'): Promise<{ id: string; creds: Creds }> {
  const res = await b.post('/api/grants', { entitlementId: ids[role], kind: 'cli', durationSeconds: 3600 });
  expect(res.status, res.text).toBe(201);
  const body = res.json();
  return { id: body.grant.id, creds: body.credentials };
}

async function revocationRows(where: string, params: unknown[]) {
  return (await stack.sql.query(`SELECT * FROM revocations WHERE ${where} ORDER BY created_at`, params)).rows;
}

describe('revoking one grant', () => {
  it('denies that session at AWS within the worker’s cycle while another person’s session on the same role keeps working', async () => {
    const anaB = await stack.signIn(ana.username);
    const benB = await stack.signIn(ben.username);
    const mine = await cliGrant(anaB, 'Developer');
    const other = await cliGrant(benB, 'Developer');
    expect(await listBuckets(mine.creds)).toEqual([bucketOf('111111111111')]);
    expect(await listBuckets(other.creds)).toEqual([bucketOf('111111111111')]);

    const res = await anaB.post(`/api/grants/${mine.id}/revoke`, { reason: 'laptop lost' });
    expect(res.status, res.text).toBe(202);
    expect(res.json().revocation).toMatchObject({ kind: 'grant', target: mine.id, accountIds: ['111111111111'], reason: 'laptop lost' });

    // Written ahead: the row exists at once, whatever IAM does.
    expect(await revocationRows('grant_id = $1', [mine.id])).toHaveLength(1);
    await expect.poll(async () => (await revocationRows('grant_id = $1', [mine.id]))[0].state, { timeout: 10_000 }).toBe('applied');
    expect(await listBuckets(mine.creds)).toBe('AccessDenied');
    expect(await listBuckets(other.creds)).toEqual([bucketOf('111111111111')]);

    const row = (await revocationRows('grant_id = $1', [mine.id]))[0];
    const policy = stack.aws.managedPolicy(revocationPolicyArnIn('111111111111'))!;
    expect(policy.defaultVersionId).toBe(row.policy_version);
    const doc = JSON.parse(policy.versions.find((v) => v.isDefault)!.document);
    expect(doc.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': expect.arrayContaining([mine.id]) } } }),
    );
    expect(JSON.stringify(doc)).not.toContain(other.id);

    // The grant reads as revoked in its person's history and for the CLI.
    const status = await anaB.get(`/api/grants/${mine.id}/status`);
    expect(status.json()).toMatchObject({ valid: false, status: 'revoked', revoked: { kind: 'grant', status: 'applied' } });
  });

  it('ends a console session too: the emulated console page answers Access denied on the next load', async () => {
    const anaB = await stack.signIn(ana.username);
    const res = await anaB.post('/api/grants', { entitlementId: ids.Developer, kind: 'console', durationSeconds: 3600 });
    expect(res.status, res.text).toBe(201);
    const { grant, consoleUrl } = res.json();
    const login = await fetch(consoleUrl, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const page = new URL(login.headers.get('location')!, consoleUrl).toString();
    const before = await fetch(page);
    expect(before.status).toBe(200);
    expect(await before.text()).toContain(bucketOf('111111111111'));

    expect((await anaB.post(`/api/grants/${grant.id}/revoke`, {})).status).toBe(202);
    await expect.poll(async () => (await fetch(page)).status, { timeout: 10_000 }).toBe(403);
    expect(await (await fetch(page)).text()).toContain('id="access-denied"');
  });

  it('refuses someone who is neither the person, an approver nor an admin, and writes nothing', async () => {
    const anaB = await stack.signIn(ana.username);
    const cyB = await stack.signIn(cy.username);
    const mine = await cliGrant(anaB, 'Developer');
    const res = await cyB.post(`/api/grants/${mine.id}/revoke`, {});
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect(await revocationRows('grant_id = $1', [mine.id])).toHaveLength(0);
    expect(await listBuckets(mine.creds)).toEqual([bucketOf('111111111111')]);
  });

  it('lets an admin revoke, answers a repeat with the same revocation, refuses without CSRF and for unknown grants', async () => {
    const anaB = await stack.signIn(ana.username);
    const adminB = await stack.signIn(admin.username);
    const g = await cliGrant(anaB, 'Operator');
    const noCsrf = await adminB.request('POST', `/api/grants/${g.id}/revoke`, { json: {}, csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(await revocationRows('grant_id = $1', [g.id])).toHaveLength(0);
    const first = await adminB.post(`/api/grants/${g.id}/revoke`, {});
    expect(first.status).toBe(202);
    const again = await anaB.post(`/api/grants/${g.id}/revoke`, {});
    expect(again.status).toBe(202);
    expect(again.json().revocation.id).toBe(first.json().revocation.id);
    expect(await revocationRows('grant_id = $1', [g.id])).toHaveLength(1);
    expect((await adminB.post(`/api/grants/00000000-0000-4000-8000-000000000000/revoke`, {})).status).toBe(404);
    expect((await adminB.post(`/api/grants/not-a-uuid/revoke`, {})).status).toBe(404);
    expect((await adminB.post(`/api/grants/${g.id}/revoke`, { reason: 'x', extra: 1 })).status).toBe(400);
  });

  it('refuses a denied grant (it never reached AWS) with GRANT_NOT_REVOCABLE and writes nothing', async () => {
    const leadB = await stack.signIn(lead.username);
    const denied = await leadB.post('/api/grants', { entitlementId: ids.Operator, kind: 'cli' });
    expect(denied.status).toBe(403);
    const [row] = await stack.grantRows(`user_email = $1 AND status = 'denied'`, [lead.email]);
    const res = await leadB.post(`/api/grants/${row.id}/revoke`, {});
    expect(res.status).toBe(409);
    expect(res.json().error.code).toBe('GRANT_NOT_REVOCABLE');
    expect(await revocationRows('grant_id = $1', [row.id])).toHaveLength(0);
  });
});

describe('readers', () => {
  it('show a revoked grant as revoked in the person’s history, the audit list, its filter and both exports, without touching its stored outcome', async () => {
    const benB = await stack.signIn(ben.username);
    const g = await cliGrant(benB, 'Operator');
    const kept = await cliGrant(benB, 'Operator');
    expect((await benB.post(`/api/grants/${g.id}/revoke`, {})).status).toBe(202);
    expect((await stack.grantRows('id = $1', [g.id]))[0].status).toBe('issued');

    const mine = (await benB.get('/api/grants')).json().items as { id: string; status: string }[];
    expect(mine.find((i) => i.id === g.id)?.status).toBe('revoked');
    expect(mine.find((i) => i.id === kept.id)?.status).toBe('issued');

    const aud = await stack.signIn(auditor.username);
    const byUser = (await aud.get(`/api/audit/grants?user=${encodeURIComponent(ben.email)}`)).json().items as { id: string; status: string }[];
    expect(byUser.find((i) => i.id === g.id)?.status).toBe('revoked');
    const revoked = (await aud.get(`/api/audit/grants?user=${encodeURIComponent(ben.email)}&status=revoked`)).json().items as { id: string }[];
    expect(revoked.map((i) => i.id)).toContain(g.id);
    expect(revoked.map((i) => i.id)).not.toContain(kept.id);
    const detail = (await aud.get(`/api/audit/grants/${g.id}`)).json();
    expect(detail.grant.status).toBe('revoked');
    // Who revoked it, when and why, for the auditor; the grant kept has none.
    expect(detail.revocation).toMatchObject({ requestedBy: ben.email, requestedAt: expect.any(String), state: expect.stringMatching(/^(requested|applied)$/) });
    expect((await aud.get(`/api/audit/grants/${kept.id}`)).json().revocation).toBeNull();
    const csv = (await aud.get(`/api/audit/grants/export?format=csv&user=${encodeURIComponent(ben.email)}&status=revoked`)).text;
    expect(csv).toContain(g.id);
    expect(csv.split('\n').find((l) => l.startsWith(g.id))).toContain(',revoked,');
    // Auditors read the revocations too (admins' list, without the admin rights).
    const listed = (await aud.get('/api/audit/revocations')).json().items as { target: string }[];
    expect(listed.map((i) => i.target)).toContain(g.id);
    expect((await aud.get('/api/admin/revocations')).status).toBe(403);
    expect((await benB.get('/api/audit/revocations')).status).toBe(403);
    const ndjson = (await aud.get(`/api/audit/grants/export?format=ndjson&user=${encodeURIComponent(ben.email)}`)).text;
    expect(JSON.parse(ndjson.split('\n').find((l) => l.includes(g.id))!).status).toBe('revoked');
  });
});

describe('cutting a person off', () => {
  it('denies their sessions on two roles in two accounts, refuses new grants until they sign in again, then works', async () => {
    const deeB = await stack.signIn(dee.username);
    const a = await cliGrant(deeB, 'Developer');
    const b = await cliGrant(deeB, 'Operator');
    const anaB = await stack.signIn(ana.username);
    const bystander = await cliGrant(anaB, 'Operator');
    expect(await listBuckets(a.creds)).toEqual([bucketOf('111111111111')]);
    expect(await listBuckets(b.creds)).toEqual([bucketOf('222222222222')]);

    const adminB = await stack.signIn(admin.username);
    const userId = (await stack.sql.query(`SELECT id FROM users WHERE email = $1`, [dee.email])).rows[0].id;
    // A grant of hers still waiting for STS at the cut-off: its session could be issued after the cut-off's second.
    const inFlight = (
      await stack.sql.query(
        `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn, role_session_name, source_identity, kind, duration_seconds, status)
         SELECT gen_random_uuid(), user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn, role_session_name, source_identity, kind, duration_seconds, 'pending'
         FROM grants WHERE id = $1 RETURNING id`,
        [a.id],
      )
    ).rows[0].id;
    const res = await adminB.post(`/api/admin/users/${userId}/cut-off`, {});
    expect(res.status, res.text).toBe(202);
    const body = res.json();
    expect(body.sessions).toBeGreaterThanOrEqual(1);
    expect(body.revocation).toMatchObject({ kind: 'user', target: dee.email, accountIds: ['111111111111', '222222222222'] });
    expect((await revocationRows('grant_id = $1', [inFlight]))[0]).toMatchObject({ kind: 'grant', batch_id: body.revocation.id });

    // New grants are refused: the browser session is gone (its CSRF token with it), nothing is recorded or sent to STS.
    const grantsBefore = (await stack.grantRows('user_email = $1', [dee.email])).length;
    const assumes = stack.aws.countCalls('AssumeRole');
    const refused = await deeB.post('/api/grants', { entitlementId: ids.Developer, kind: 'cli' });
    expect([401, 403]).toContain(refused.status);
    expect((await deeB.get('/api/me')).status).toBe(401);
    expect(await stack.grantRows('user_email = $1', [dee.email])).toHaveLength(grantsBefore);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumes);

    await expect
      .poll(async () => (await revocationRows(`user_id = $1 AND kind = 'person'`, [userId])).map((r) => r.state), { timeout: 10_000 })
      .toEqual(['applied', 'applied']);
    expect(await listBuckets(a.creds)).toBe('AccessDenied');
    expect(await listBuckets(b.creds)).toBe('AccessDenied');
    expect(await listBuckets(bystander.creds)).toEqual([bucketOf('222222222222')]);

    // A fresh, entitled sign-in after the cut-off second gets sessions that work.
    const cutOffAt = new Date(body.revocation.revokedBefore).getTime();
    await expect.poll(() => Date.now() >= cutOffAt, { timeout: 5000 }).toBe(true);
    const again = await stack.signIn(dee.username);
    const fresh = await cliGrant(again, 'Developer');
    expect(await listBuckets(fresh.creds)).toEqual([bucketOf('111111111111')]);
    expect(await listBuckets(a.creds)).toBe('AccessDenied');

    const metrics = await stack.browser().get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(metrics.text).toMatch(/rolegate_revocations\{state="applied"\} [1-9]/);

    const list = await adminB.get('/api/admin/revocations');
    expect(list.status).toBe(200);
    expect(list.json().items).toContainEqual(expect.objectContaining({ id: body.revocation.id, status: 'applied', kind: 'user' }));
  });
});

describe('an approver', () => {
  it('may revoke a grant on a role they approve, and not one on a role they do not', async () => {
    const anaB = await stack.signIn(ana.username);
    const req = await anaB.post('/api/requests', { entitlementId: ids.OncallOperator, durationSeconds: 3600, reason: 'incident 7', breakGlass: true });
    expect(req.status, req.text).toBe(201);
    const grant = await anaB.post('/api/grants', { entitlementId: ids.OncallOperator, kind: 'cli', durationSeconds: 900 });
    expect(grant.status, grant.text).toBe(201);
    const id = grant.json().grant.id;
    const leadB = await stack.signIn(lead.username);
    const res = await leadB.post(`/api/grants/${id}/revoke`, { reason: 'not this incident' });
    expect(res.status, res.text).toBe(202);
    expect((await revocationRows('grant_id = $1', [id]))[0]).toMatchObject({ requested_by_email: lead.email, reason: 'not this incident' });
    await expect.poll(async () => listBuckets(grant.json().credentials), { timeout: 10_000 }).toBe('AccessDenied');
    // Approvers of the role may revoke; the same people may not revoke grants on roles they do not approve.
    const plain = await cliGrant(anaB, 'Developer');
    expect((await leadB.post(`/api/grants/${plain.id}/revoke`, {})).status).toBe(403);
    await anaB.post(`/api/requests/${req.json().request.id}/end`, {});
  });
});

describe('ending a request window early', () => {
  it('revokes the grants issued in that window, in the same transaction as the end', async () => {
    const anaB = await stack.signIn(ana.username);
    const req = await anaB.post('/api/requests', { entitlementId: ids.OncallOperator, durationSeconds: 3600, reason: 'incident 42', breakGlass: true });
    expect(req.status, req.text).toBe(201);
    const requestId = req.json().request.id;
    const grant = await anaB.post('/api/grants', { entitlementId: ids.OncallOperator, kind: 'cli', durationSeconds: 900 });
    expect(grant.status, grant.text).toBe(201);
    const { id } = grant.json().grant;
    const creds = grant.json().credentials;
    expect(await listBuckets(creds)).toEqual([bucketOf('222222222222')]);

    const end = await anaB.post(`/api/requests/${requestId}/end`, {});
    expect(end.status, end.text).toBe(200);
    const rows = await revocationRows('grant_id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].reason).toBe('access window ended early');
    await expect.poll(async () => listBuckets(creds), { timeout: 10_000 }).toBe('AccessDenied');
  });

  it('lists every grant of the window on the one revocation it makes, so none is hidden from the admin', async () => {
    const anaB = await stack.signIn(ana.username);
    const req = await anaB.post('/api/requests', { entitlementId: ids.OncallOperator, durationSeconds: 3600, reason: 'incident 43', breakGlass: true });
    expect(req.status, req.text).toBe(201);
    const first = await anaB.post('/api/grants', { entitlementId: ids.OncallOperator, kind: 'cli', durationSeconds: 900 });
    const second = await anaB.post('/api/grants', { entitlementId: ids.OncallOperator, kind: 'console', durationSeconds: 900 });
    expect([first.status, second.status]).toEqual([201, 201]);
    const grantIds = [first.json().grant.id, second.json().grant.id];
    const end = await anaB.post(`/api/requests/${req.json().request.id}/end`, {});
    expect(end.status, end.text).toBe(200);
    const rows = await revocationRows('grant_id = ANY($1::uuid[])', [grantIds]);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.batch_id)).size).toBe(1);

    const list = (await (await stack.signIn(admin.username)).get('/api/admin/revocations')).json().items as { id: string; target: string }[];
    const item = list.find((i) => i.id === rows[0].batch_id);
    expect(item?.target.split(', ').sort()).toEqual([...grantIds].sort());
    // Revoking the second grant again answers that same revocation, naming it.
    const again = await anaB.post(`/api/grants/${grantIds[1]}/revoke`, {});
    expect(again.status, again.text).toBe(202);
    expect(again.json().revocation).toMatchObject({ id: rows[0].batch_id, target: expect.stringContaining(grantIds[1]) });
  });
});
