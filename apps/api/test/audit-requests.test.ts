import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EXPORT_COLUMNS } from '@rolegate/contract';
import { startStack, type Stack, testPerson } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// Grant history by request (issue 14): auditors filter grants by the access
// request they were issued under, or by that request's status, and the CSV
// export carries the request id.

const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
`;

let stack: Stack;
let emma: TestBrowser;
let amy: TestBrowser;
let carol: TestBrowser;
let requestA: string;
let requestB: string;
const grantIds: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, extraUsers: [testPerson('emma', ['engineers']), testPerson('amy', ['prod-approvers'])] });
  [emma, amy, carol] = await Promise.all([stack.signIn('emma'), stack.signIn('amy'), stack.signIn('carol')]);
  const ids = await stack.mappingIds();
  const approved = async (reason: string) => {
    const id = (await emma.post('/api/requests', { entitlementId: ids.Deploy, durationSeconds: 3600, reason })).json().request.id as string;
    expect((await amy.post(`/api/requests/${id}/approve`, {})).status).toBe(200);
    return id;
  };
  requestA = await approved('release A');
  const a = await emma.post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli' });
  expect(a.status, a.text).toBe(201);
  grantIds.a = a.json().grant.id;
  expect((await emma.post(`/api/requests/${requestA}/end`)).status).toBe(200);
  requestB = await approved('release B');
  grantIds.b = (await emma.post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli' })).json().grant.id;
  grantIds.instant = (await emma.post('/api/grants', { entitlementId: ids.Developer, kind: 'cli' })).json().grant.id;
});
afterAll(async () => {
  await stack?.close();
});

const listed = async (query: string) => {
  const res = await carol.get(`/api/audit/grants?${query}`);
  expect(res.status, res.text).toBe(200);
  return (res.json().items as { id: string; requestId: string | null }[]).map((g) => g.id);
};

describe('grant history by request', () => {
  it('filters by request id (exactly, any case) and by the request’s status now', async () => {
    expect(await listed(`requestId=${requestA}`)).toEqual([grantIds.a]);
    expect(await listed(`requestId=${requestB.toUpperCase()}`)).toEqual([grantIds.b]);
    expect(await listed('requestStatus=ended')).toEqual([grantIds.a]);
    expect(await listed('requestStatus=approved')).toEqual([grantIds.b]);
    expect(await listed('requestStatus=denied')).toEqual([]);
    const all = await listed('');
    expect(all).toEqual(expect.arrayContaining([grantIds.a, grantIds.b, grantIds.instant]));
  });

  it('refuses a request id that is not a UUID and an unknown request status, with 400 and the field', async () => {
    const bad = await carol.get('/api/audit/grants?requestId=abc');
    expect(bad.status).toBe(400);
    expect(bad.json().error.details.issues[0].path).toBe('requestId');
    const status = await carol.get('/api/audit/grants?requestStatus=approvedish');
    expect(status.status).toBe(400);
    expect(status.json().error.details.issues[0].path).toBe('requestStatus');
    expect((await emma.get(`/api/audit/grants?requestId=${requestA}`)).status).toBe(403);
  });

  it('the CSV export ends with the request id column, filled for grants under a request and empty otherwise', async () => {
    const res = await carol.get(`/api/audit/grants/export?format=csv&user=emma@example.com`);
    expect(res.status).toBe(200);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]!.split(',').at(-1)).toBe('requestId');
    expect(AUDIT_EXPORT_COLUMNS.at(-1)).toBe('requestId');
    const byId = new Map(lines.slice(1).map((l) => [l.split(',')[0], l.split(',').at(-1)]));
    expect(byId.get(grantIds.a)).toBe(requestA);
    expect(byId.get(grantIds.b)).toBe(requestB);
    expect(byId.get(grantIds.instant)).toBe('');
    const filtered = await carol.get(`/api/audit/grants/export?format=csv&requestId=${requestA}`);
    expect(
      filtered.text
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    ).toEqual([grantIds.a]);
  });
});
