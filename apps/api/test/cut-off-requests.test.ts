import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack, testPerson } from './support/stack.js';

// A cut-off closes the person's requests too. Without it, a person cut off
// while an approved window was open signs in again (still in the IdP group)
// and mints sessions on the approval that predates the cut-off; approvers keep
// being asked about their pending requests.

const ACCOUNT = '222222222222';
const MAPPINGS = `
accounts:
  - { id: "${ACCOUNT}", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::${ACCOUNT}:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
  - { group: engineers, roleArn: "arn:aws:iam::${ACCOUNT}:role/Data", maxDurationSeconds: 3600, access: approval, approvers: [prod-approvers] }
`;

let stack: Stack;
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, extraUsers: [testPerson('emma', ['engineers']), testPerson('frank', ['prod-approvers'])] });
  ids = await stack.mappingIds();
});
afterAll(async () => {
  await stack?.close();
});

const requestRow = async (id: string) =>
  (await stack.sql.query<{ status: string; ended_at: Date | null }>(`SELECT status, ended_at FROM access_requests WHERE id = $1`, [id])).rows[0]!;
const eventTypes = async (id: string) =>
  (
    await stack.sql.query<{ type: string; actor_email: string }>(`SELECT type, actor_email FROM access_request_events WHERE request_id = $1 ORDER BY at, id`, [
      id,
    ])
  ).rows;

describe('cut off a person with an open window and a pending request', () => {
  it('ends the window and cancels the request in the cut-off; a fresh sign-in needs a new approval', async () => {
    const emma = await stack.signIn('emma');
    const frank = await stack.signIn('frank');
    const bob = await stack.signIn('bob'); // admin

    const deploy = await emma.post('/api/requests', { entitlementId: ids.Deploy, durationSeconds: 3600, reason: 'release 7' });
    expect(deploy.status, deploy.text).toBe(201);
    const deployId = deploy.json().request.id as string;
    expect((await frank.post(`/api/requests/${deployId}/approve`, { comment: 'ok' })).status).toBe(200);
    const data = await emma.post('/api/requests', { entitlementId: ids.Data, durationSeconds: 3600, reason: 'report' });
    expect(data.status, data.text).toBe(201);
    const dataId = data.json().request.id as string;
    // The window works before the cut-off.
    expect((await emma.post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli', durationSeconds: 900 })).status).toBe(201);

    const userId = (await stack.sql.query<{ id: string }>(`SELECT id FROM users WHERE email = 'emma@example.com'`)).rows[0]!.id;
    expect((await bob.post(`/api/admin/users/${userId}/cut-off`, {})).status).toBe(202);

    expect(await requestRow(deployId)).toMatchObject({ status: 'revoked', ended_at: expect.any(Date) });
    expect((await eventTypes(deployId)).at(-1)).toEqual({ type: 'ended', actor_email: 'bob@example.com' });
    expect((await requestRow(dataId)).status).toBe('cancelled');
    expect((await eventTypes(dataId)).at(-1)).toEqual({ type: 'cancelled', actor_email: 'bob@example.com' });
    const change = (await stack.sql.query(`SELECT after FROM admin_changes WHERE action = 'cut-off' AND entity_id = $1`, [userId])).rows[0];
    expect(change.after).toMatchObject({ windowsEnded: 1, requestsCancelled: 1 });

    // Still in the IdP group: a fresh sign-in works, but the old approval no longer opens the role.
    const again = await stack.signIn('emma');
    const before = stack.aws.countCalls('AssumeRole');
    const refused = await again.post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli', durationSeconds: 900 });
    expect(refused.status).toBe(403);
    expect(refused.json().error.code).toBe('APPROVAL_REQUIRED');
    expect(stack.aws.countCalls('AssumeRole')).toBe(before);
    // Frank's inbox no longer holds the cancelled request.
    const inbox = (await frank.get('/api/requests?scope=approver&status=pending')).json();
    expect(JSON.stringify(inbox)).not.toContain(dataId);
  });
});
