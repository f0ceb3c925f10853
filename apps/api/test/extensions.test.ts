import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMappingsYaml } from '../src/mappings-file.js';
import { startStack, type Stack, testPerson } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// "N extensions without approval" (issue 14): a mapping may let one window be
// extended N times at once; the (N+1)th extension is decided like a request.
// The policy field is validated and change-logged like every other.

const ROLE = 'arn:aws:iam::222222222222:role/Deploy';
const ACCOUNTS = 'accounts: [{ id: "222222222222", name: production }]\n';
const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "${ROLE}", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers], extensionsWithoutApproval: 2 }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Solo", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers], extensionsWithoutApproval: 1 }
`;

let stack: Stack;
let emma: TestBrowser;
let amy: TestBrowser;
let bob: TestBrowser;
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, extraUsers: [testPerson('emma', ['engineers']), testPerson('amy', ['prod-approvers'])] });
  emma = await stack.signIn('emma');
  amy = await stack.signIn('amy');
  bob = await stack.signIn('bob');
  ids = await stack.mappingIds();
});
afterAll(async () => {
  await stack?.close();
});

async function approvedWindow(role: string) {
  const id = (await emma.post('/api/requests', { entitlementId: ids[role], durationSeconds: 1800, reason: 'release' })).json().request.id as string;
  const res = await amy.post(`/api/requests/${id}/approve`, {});
  expect(res.status).toBe(200);
  return res.json().request as { id: string; windowEndsAt: string };
}
const eventsOf = async (id: string) =>
  (
    await stack.sql.query<{ type: string; actor_email: string }>(`SELECT type, actor_email FROM access_request_events WHERE request_id = $1 ORDER BY at, id`, [
      id,
    ])
  ).rows;

describe('extensions without approval', () => {
  it('approves the first N extensions of a window at once (each continuing the window), and the next one waits for an approver', async () => {
    const first = await approvedWindow('Deploy');
    const one = (await emma.post(`/api/requests/${first.id}/extend`, { durationSeconds: 1200, reason: 'slow rollout' })).json().request;
    expect(one.status).toBe('approved');
    expect(Date.parse(one.windowEndsAt)).toBe(Date.parse(first.windowEndsAt) + 1200 * 1000);
    expect((await eventsOf(one.id)).map((e) => [e.type, e.actor_email])).toEqual([
      ['requested', 'emma@example.com'],
      ['extended', 'rolegate'],
    ]);
    // Extending the extension counts against the same window's allowance.
    const two = (await emma.post(`/api/requests/${one.id}/extend`, { durationSeconds: 1200, reason: 'still rolling' })).json().request;
    expect(two.status).toBe('approved');
    expect(Date.parse(two.windowEndsAt)).toBe(Date.parse(one.windowEndsAt) + 1200 * 1000);
    const three = (await emma.post(`/api/requests/${two.id}/extend`, { durationSeconds: 1200, reason: 'one more' })).json().request;
    expect(three.status).toBe('pending');
    expect((await eventsOf(three.id)).map((e) => e.type)).toEqual(['requested']);
    // A new window has its own allowance.
    const fresh = await approvedWindow('Deploy');
    expect((await emma.post(`/api/requests/${fresh.id}/extend`, { durationSeconds: 1200, reason: 'again' })).json().request.status).toBe('approved');
  });

  it('two extensions asked at the same moment never both take the last free one', async () => {
    const first = await approvedWindow('Solo');
    const [a, b] = await Promise.all([
      emma.post(`/api/requests/${first.id}/extend`, { durationSeconds: 1200, reason: 'a' }),
      emma.post(`/api/requests/${first.id}/extend`, { durationSeconds: 1200, reason: 'b' }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.json().request.status, b.json().request.status].sort()).toEqual(['approved', 'pending']);
  });

  it('is validated (approval mappings only, 0 to 10) and change-logged on the admin API, and read from the mappings file', async () => {
    const bad = await bob.post('/api/admin/mappings', { group: 'ops-x', roleArn: ROLE, extensionsWithoutApproval: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path)).toEqual(['extensionsWithoutApproval']);
    const tooMany = await bob.post('/api/admin/mappings', {
      group: 'ops-x',
      roleArn: ROLE,
      access: 'approval',
      approvers: ['leads'],
      extensionsWithoutApproval: 11,
    });
    expect(tooMany.status).toBe(400);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM role_mappings WHERE "group" = 'ops-x'`)).rows[0].n).toBe(0);
    const ok = await bob.post('/api/admin/mappings', { group: 'ops-x', roleArn: ROLE, access: 'approval', approvers: ['leads'], extensionsWithoutApproval: 3 });
    expect(ok.status, ok.text).toBe(201);
    const m = ok.json().mapping;
    expect(m.extensionsWithoutApproval).toBe(3);
    const change = (await bob.get(`/api/admin/changes?entity=mapping&entityId=${m.id}`)).json().items[0];
    expect(change.after).toMatchObject({ extensionsWithoutApproval: 3 });
    expect((await bob.get('/api/admin/mappings/export')).text).toContain('extensionsWithoutApproval: 3');

    const doc = parseMappingsYaml(
      `${ACCOUNTS}mappings:\n  - { group: eng, roleArn: "${ROLE}", access: approval, approvers: [l], extensionsWithoutApproval: 2 }\n`,
    );
    expect(doc.mappings[0]).toMatchObject({ extensionsWithoutApproval: 2 });
    expect(() => parseMappingsYaml(`${ACCOUNTS}mappings:\n  - { group: eng, roleArn: "${ROLE}", extensionsWithoutApproval: -1 }\n`)).toThrow(
      /extensionsWithoutApproval/,
    );
  });
});
