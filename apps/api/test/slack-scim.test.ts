import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_ACTION } from '../src/notifications/slack-message.js';
import { signSlackRequest } from '../src/slack/signature.js';
import { startFakeSlack } from './support/fake-slack.js';
import { createScimToken, oktaUser, patchOp, SCIM_ENV, scimClient } from './support/scim.js';
import { startStack, type Stack, testPerson } from './support/stack.js';

// Approving in Slack with SCIM on (issue 14): the approver's groups are what
// SCIM says now, as for a request with a session — someone SCIM took out of
// the approver group cannot approve from Slack on the strength of an old sign-in.

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SECRET = 'slack-signing-secret-for-scim-0123456789';
const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
`;

let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let stack: Stack;

beforeAll(async () => {
  fake = await startFakeSlack({ emails: { U0AMY: 'amy@example.com' } });
  stack = await startStack({
    mappingsYaml: MAPPINGS,
    extraUsers: [testPerson('emma', ['engineers']), testPerson('amy', ['prod-approvers'])],
    env: {
      ...SCIM_ENV,
      NOTIFY_SLACK_TOKEN: 'xoxb-1234567890-scim',
      NOTIFY_SLACK_API_URL: fake.apiUrl,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_APPROVE_IN_SLACK: '1',
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

async function approveInSlack(requestId: string) {
  const at = Math.floor(Date.now() / 1000);
  const body = new URLSearchParams({
    payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0AMY' }, actions: [{ action_id: APPROVE_ACTION, value: requestId }] }),
  }).toString();
  const res = await fetch(`${stack.baseUrl}/api/slack/interactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(at),
      'x-slack-signature': signSlackRequest(SECRET, at, body),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as { outcome?: string; error?: { code: string } } };
}

describe('approving in Slack with SCIM on', () => {
  it('counts SCIM’s groups now, not the sign-in’s', async () => {
    const token = await createScimToken(await stack.signIn('bob'), 'okta');
    const scim = scimClient(stack.baseUrl, token.secret);
    const emmaId = (await scim.post('/Users', oktaUser('emma@example.com'))).body.id as string;
    const amyId = (await scim.post('/Users', oktaUser('amy@example.com'))).body.id as string;
    await scim.post('/Groups', { schemas: [GROUP], displayName: 'engineers', members: [{ value: emmaId }] });
    const approvers = (await scim.post('/Groups', { schemas: [GROUP], displayName: 'prod-approvers', members: [{ value: amyId }] })).body.id as string;
    const emma = await stack.signIn('emma');
    await stack.signIn('amy'); // her sign-in says prod-approvers, and keeps saying it
    const entitlementId = (await stack.mappingIds()).Deploy!;
    const file = async (reason: string) => (await emma.post('/api/requests', { entitlementId, durationSeconds: 3600, reason })).json().request.id as string;

    const first = await file('while amy approves');
    expect(await approveInSlack(first)).toMatchObject({ status: 200, body: { outcome: 'approved' } });

    // The IdP takes amy out of prod-approvers: from Slack, she approves nothing more.
    expect((await scim.patch(`/Groups/${approvers}`, patchOp({ op: 'remove', path: `members[value eq "${amyId}"]` }))).status).toBe(204);
    const second = await file('after amy left');
    expect(await approveInSlack(second)).toMatchObject({ status: 404 });
    const events = await stack.sql.query(`SELECT type FROM access_request_events WHERE request_id = $1`, [second]);
    expect(events.rows.map((r) => r.type)).toEqual(['requested']);
  });
});
