import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, startStack, type Stack, testPerson } from './support/stack.js';
import { TestBrowser } from './support/http-client.js';

// Just-in-time requests and approvals (issue 14): policy per mapping, the
// request lifecycle, the access window that bounds every STS session.

const ACCOUNT = '222222222222';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "${ACCOUNT}", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "${role('Deploy')}", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
  - { group: engineers, roleArn: "${role('Admin')}", maxDurationSeconds: 3600, access: approval, approvers: [prod-approvers], approvals: 2 }
  - group: engineers
    roleArn: "${role('Data')}"
    maxDurationSeconds: 3600
    access: approval
    stages: [{ approvers: [prod-approvers], approvals: 1 }, { approvers: [security], approvals: 1 }]
  - { group: engineers, roleArn: "${role('BreakGlass')}", maxDurationSeconds: 3600, access: approval, approvers: [prod-approvers], breakGlass: true, reviewWithinSeconds: 3600 }
`;

const person = testPerson;

let stack: Stack;
let ids: Record<string, string>;
const browsers: Record<string, TestBrowser> = {};

beforeAll(async () => {
  stack = await startStack({
    mappingsYaml: MAPPINGS,
    extraUsers: [
      person('emma', ['engineers']),
      person('frank', ['engineers', 'prod-approvers']),
      person('amy', ['prod-approvers']),
      person('grace', ['prod-approvers', 'security']),
      person('sam', ['security']),
    ],
  });
  ids = await stack.mappingIds();
  for (const u of ['emma', 'frank', 'amy', 'grace', 'sam', 'alice', 'bob', 'carol']) browsers[u] = await stack.signIn(u);
});
afterAll(async () => {
  await stack?.close();
});

const as = (u: string) => browsers[u]!;

async function request(u: string, roleName: string, extra: Record<string, unknown> = {}) {
  const res = await as(u).post('/api/requests', { entitlementId: ids[roleName], durationSeconds: 3600, reason: 'deploy hotfix 42', ...extra });
  expect(res.status, res.text).toBe(201);
  return res.json().request as { id: string; status: string; windowEndsAt: string | null; progress: { needed: number; stage: number } };
}

const events = async (requestId: string) =>
  (
    await stack.sql.query<{ type: string; actor_email: string; stage: number | null }>(
      `SELECT type, actor_email, stage FROM access_request_events WHERE request_id = $1 ORDER BY at, id`,
      [requestId],
    )
  ).rows;

describe('filing a request', () => {
  it('an instant role needs no request (409 NO_APPROVAL_NEEDED) and nothing is stored', async () => {
    const res = await as('emma').post('/api/requests', { entitlementId: ids.Developer, durationSeconds: 3600, reason: 'x' });
    expect(res.status).toBe(409);
    expect(res.json().error.code).toBe('NO_APPROVAL_NEEDED');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM access_requests WHERE mapping_id = $1`, [ids.Developer])).rows[0].n).toBe(0);
  });

  it('a role the caller is not entitled to is 403 NOT_ENTITLED; a missing reason or a bad duration is 400', async () => {
    const notMine = await as('amy').post('/api/requests', { entitlementId: ids.Deploy, durationSeconds: 3600, reason: 'x' });
    expect(notMine.status).toBe(403);
    expect(notMine.json().error.code).toBe('NOT_ENTITLED');
    const noReason = await as('emma').post('/api/requests', { entitlementId: ids.Deploy, durationSeconds: 3600, reason: '  ' });
    expect(noReason.status).toBe(400);
    for (const durationSeconds of [7201, 900]) {
      const bad = await as('emma').post('/api/requests', { entitlementId: ids.Deploy, durationSeconds, reason: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.json().error.code).toBe('INVALID_DURATION');
    }
    const rows = (await stack.sql.query(`SELECT count(*)::int AS n FROM access_requests WHERE requester_email = 'amy@example.com'`)).rows[0].n;
    expect(rows).toBe(0);
  });

  it('the entitlement shows the policy and the caller’s open window', async () => {
    const items = (await as('emma').get('/api/entitlements')).json().items as { id: string; access: string; breakGlass: boolean; window: unknown }[];
    const deploy = items.find((i) => i.id === ids.Deploy)!;
    expect(deploy.access).toBe('approval');
    expect(items.find((i) => i.id === ids.Developer)!.access).toBe('instant');
    expect(items.find((i) => i.id === ids.BreakGlass)!.breakGlass).toBe(true);
  });
});

describe('the access window bounds every grant', () => {
  it('without a window a grant is 403 APPROVAL_REQUIRED with the request link, recorded denied, and AWS is never called', async () => {
    stack.aws.clearLog();
    const res = await as('emma').post('/api/grants', { entitlementId: ids.Data, kind: 'cli' });
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('APPROVAL_REQUIRED');
    expect(res.json().error.details.requestUrl).toBe(`/requests/new?entitlementId=${ids.Data}`);
    expect(stack.aws.countCalls('AssumeRole')).toBe(0);
    const [row] = await stack.grantRows(`mapping_id = $1`, [ids.Data]);
    expect(row.status).toBe('denied');
    expect(row.error).toBe('APPROVAL_REQUIRED');
  });

  it('emma requests, amy approves; the grant names the request and its STS session ends no later than the window', async () => {
    const req = await request('emma', 'Deploy', { durationSeconds: 1800 });
    expect(req.status).toBe('pending');
    const approved = await as('amy').post(`/api/requests/${req.id}/approve`, { comment: 'ok for the hotfix' });
    expect(approved.status, approved.text).toBe(200);
    const r = approved.json().request;
    expect(r.status).toBe('approved');
    expect(r.approvals).toEqual([
      expect.objectContaining({ by: expect.objectContaining({ email: 'amy@example.com' }), stage: 1, comment: 'ok for the hotfix' }),
    ]);
    const windowEnd = Date.parse(r.windowEndsAt);
    expect(windowEnd - Date.parse(r.windowStartsAt)).toBe(1800 * 1000);

    stack.aws.clearLog();
    // Asking for the role's maximum (2 h) inside a 30-minute window: the session is clipped to the window.
    const grant = await as('emma').post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli', durationSeconds: 7200 });
    expect(grant.status, grant.text).toBe(201);
    const body = grant.json();
    expect(body.grant.requestId).toBe(req.id);
    expect(Date.parse(body.credentials.expiration)).toBeLessThanOrEqual(windowEnd);
    const call = stack.aws.requests.find((x) => x.action === 'AssumeRole')!;
    expect(Number(call.params.DurationSeconds)).toBeLessThanOrEqual(1800);
    const [row] = await stack.grantRows(`id = $1`, [body.grant.id]);
    expect(row.request_id).toBe(req.id);

    const ent = (await as('emma').get('/api/entitlements')).json().items.find((i: { id: string }) => i.id === ids.Deploy);
    expect(ent.window).toEqual({ requestId: req.id, endsAt: r.windowEndsAt });
    expect((await events(req.id)).map((e) => e.type)).toEqual(['requested', 'approved']);
  });

  it('a window with under 15 minutes left issues nothing (409 WINDOW_ENDING)', async () => {
    const req = await request('emma', 'Deploy');
    await as('amy').post(`/api/requests/${req.id}/approve`, {});
    // Move the window's end close (as the owner; the runtime role could not).
    await stack.sql.query(
      `UPDATE access_requests SET window_ends_at = now() + interval '10 minutes' WHERE requester_email = 'emma@example.com' AND status = 'approved' AND mapping_id = $1`,
      [ids.Deploy],
    );
    stack.aws.clearLog();
    const res = await as('emma').post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli' });
    expect(res.status).toBe(409);
    expect(res.json().error.code).toBe('WINDOW_ENDING');
    expect(stack.aws.countCalls('AssumeRole')).toBe(0);
    // End both windows so later tests start without one.
    for (const r of (await stack.sql.query(`SELECT id FROM access_requests WHERE status = 'approved' AND mapping_id = $1`, [ids.Deploy])).rows) {
      await as('emma').post(`/api/requests/${r.id}/end`);
    }
  });

  it('ending a window early stops new sessions at once', async () => {
    const req = await request('emma', 'Deploy');
    await as('amy').post(`/api/requests/${req.id}/approve`, {});
    expect((await as('emma').post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli' })).status).toBe(201);
    const ended = await as('amy').post(`/api/requests/${req.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.json().request.status).toBe('ended');
    const after = await as('emma').post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli' });
    expect(after.status).toBe(403);
    expect(after.json().error.code).toBe('APPROVAL_REQUIRED');
    const again = await as('emma').post(`/api/requests/${req.id}/end`);
    expect(again.status).toBe(409);
    expect(again.json().error.code).toBe('REQUEST_NOT_ACTIVE');
  });

  it('someone else (not requester, approver or admin) cannot end a window', async () => {
    const req = await request('emma', 'Deploy');
    await as('amy').post(`/api/requests/${req.id}/approve`, {});
    const res = await as('alice').post(`/api/requests/${req.id}/end`);
    expect(res.status).toBe(404); // alice may not even see it
    const sam = await as('sam').post(`/api/requests/${req.id}/end`);
    expect(sam.status).toBe(404);
    expect((await stack.sql.query(`SELECT status FROM access_requests WHERE id = $1`, [req.id])).rows[0].status).toBe('approved');
    expect((await as('bob').post(`/api/requests/${req.id}/end`)).status).toBe(200); // bob is an admin
  });

  it('extending: a linked request; once approved its window continues from the end of the current one', async () => {
    const req = await request('emma', 'Deploy', { durationSeconds: 1800 });
    const first = (await as('amy').post(`/api/requests/${req.id}/approve`, {})).json().request;
    const ext = await as('emma').post(`/api/requests/${req.id}/extend`, { durationSeconds: 1200, reason: 'rollout is slow' });
    expect(ext.status, ext.text).toBe(201);
    const extension = ext.json().request;
    expect(extension.extendsRequestId).toBe(req.id);
    expect(extension.status).toBe('pending');
    const approved = (await as('amy').post(`/api/requests/${extension.id}/approve`, {})).json().request;
    expect(Date.parse(approved.windowEndsAt)).toBe(Date.parse(first.windowEndsAt) + 1200 * 1000);
    const ent = (await as('emma').get('/api/entitlements')).json().items.find((i: { id: string }) => i.id === ids.Deploy);
    expect(ent.window.requestId).toBe(extension.id);
    // amy may not extend emma's window
    expect((await as('amy').post(`/api/requests/${req.id}/extend`, { durationSeconds: 1200, reason: 'x' })).status).toBe(403);
    await as('emma').post(`/api/requests/${req.id}/end`);
    await as('emma').post(`/api/requests/${extension.id}/end`);
  });
});

describe('who may approve', () => {
  it('never the requester, even when in the approver group (403 SELF_APPROVAL), and nothing is counted', async () => {
    const req = await request('frank', 'Deploy');
    for (const action of ['approve', 'deny']) {
      const res = await as('frank').post(`/api/requests/${req.id}/${action}`, {});
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('SELF_APPROVAL');
    }
    expect((await events(req.id)).map((e) => e.type)).toEqual(['requested']);
    expect((await as('frank').get(`/api/requests/${req.id}`)).json().request.status).toBe('pending');
  });

  it('someone outside the approver groups is refused (NOT_APPROVER when they can see it, 404 otherwise)', async () => {
    const req = await request('emma', 'Deploy');
    const alice = await as('alice').post(`/api/requests/${req.id}/approve`, {});
    expect(alice.status).toBe(404);
    // carol is an auditor: she may read it, not decide it
    expect((await as('carol').get(`/api/requests/${req.id}`)).status).toBe(200);
    const carol = await as('carol').post(`/api/requests/${req.id}/approve`, {});
    expect(carol.status).toBe(403);
    expect(carol.json().error.code).toBe('NOT_APPROVER');
    expect((await events(req.id)).map((e) => e.type)).toEqual(['requested']);
    await as('emma').post(`/api/requests/${req.id}/cancel`);
  });

  it('a quorum of 2 needs two different people: the same approver twice does not count', async () => {
    const req = await request('emma', 'Admin');
    const one = (await as('amy').post(`/api/requests/${req.id}/approve`, {})).json().request;
    expect(one.status).toBe('pending');
    expect(one.progress.needed).toBe(1);
    const twice = await as('amy').post(`/api/requests/${req.id}/approve`, {});
    expect(twice.status).toBe(409);
    expect(twice.json().error.code).toBe('ALREADY_APPROVED_BY_YOU');
    expect((await as('emma').post('/api/grants', { entitlementId: ids.Admin, kind: 'cli' })).status).toBe(403);
    const two = (await as('grace').post(`/api/requests/${req.id}/approve`, {})).json().request;
    expect(two.status).toBe('approved');
    expect(two.approvals.map((a: { by: { email: string } }) => a.by.email)).toEqual(['amy@example.com', 'grace@example.com']);
  });

  it('two stages in order, and one person never counts in both', async () => {
    const req = await request('emma', 'Data');
    const early = await as('sam').post(`/api/requests/${req.id}/approve`, {});
    expect(early.status).toBe(403);
    expect(early.json().error.code).toBe('NOT_APPROVER');
    const stage1 = (await as('grace').post(`/api/requests/${req.id}/approve`, {})).json().request;
    expect(stage1.status).toBe('pending');
    expect(stage1.progress.stage).toBe(2);
    // grace is in security too, but she has already counted at stage 1
    const again = await as('grace').post(`/api/requests/${req.id}/approve`, {});
    expect(again.json().error.code).toBe('ALREADY_APPROVED_BY_YOU');
    const stage2 = (await as('sam').post(`/api/requests/${req.id}/approve`, {})).json().request;
    expect(stage2.status).toBe('approved');
    expect((await events(req.id)).map((e) => [e.type, e.actor_email, e.stage])).toEqual([
      ['requested', 'emma@example.com', null],
      ['approved', 'grace@example.com', 0],
      ['approved', 'sam@example.com', 1],
    ]);
  });

  it('an approver whose IdP sign-in is not fresh gets 403 STEP_UP_REQUIRED with a login link, and nothing is counted', async () => {
    const stale = await stack.signIn('amy');
    const adaId = (await stale.me()).json().user.id;
    await stack.sql.query(`UPDATE web_sessions SET data = jsonb_set(data, '{authTime}', to_jsonb('2020-01-01T00:00:00.000Z'::text)) WHERE user_id = $1`, [
      adaId,
    ]);
    const req = await request('emma', 'Deploy');
    const res = await stale.post(`/api/requests/${req.id}/approve`, {});
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('STEP_UP_REQUIRED');
    expect(res.json().error.details.loginUrl).toBe(`/auth/login?provider=oidc&fresh=1&returnTo=${encodeURIComponent(`/requests/${req.id}`)}`);
    expect((await events(req.id)).map((e) => e.type)).toEqual(['requested']);
    browsers.amy = await stack.signIn('amy');
    expect((await as('amy').post(`/api/requests/${req.id}/deny`, { comment: 'not now' })).json().request.status).toBe('denied');
  });

  it('a CLI token can file and read requests but never approve', async () => {
    const req = await request('emma', 'Deploy');
    // A browser without a session but with a bearer-looking token is refused before any handler.
    const res = await fetch(`${stack.baseUrl}/api/requests/${req.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer rg_cli_${'a'.repeat(43)}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect([401, 403]).toContain(res.status);
    expect((await events(req.id)).map((e) => e.type)).toEqual(['requested']);
    await as('emma').post(`/api/requests/${req.id}/cancel`);
  });
});

describe('lifecycle', () => {
  it('a denial is final: a later approval is 409 ALREADY_DECIDED', async () => {
    const req = await request('emma', 'Deploy');
    const denied = await as('amy').post(`/api/requests/${req.id}/deny`, { comment: 'use the runbook' });
    expect(denied.json().request.status).toBe('denied');
    const late = await as('grace').post(`/api/requests/${req.id}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.json().error.code).toBe('ALREADY_DECIDED');
  });

  it('only the requester cancels, only while pending', async () => {
    const req = await request('emma', 'Deploy');
    expect((await as('amy').post(`/api/requests/${req.id}/cancel`)).status).toBe(403);
    expect((await as('emma').post(`/api/requests/${req.id}/cancel`)).json().request.status).toBe('cancelled');
    expect((await as('emma').post(`/api/requests/${req.id}/cancel`)).status).toBe(409);
    expect((await as('amy').post(`/api/requests/${req.id}/approve`, {})).json().error.code).toBe('ALREADY_DECIDED');
  });

  it('a pending request past its timeout reads expired and can no longer be approved', async () => {
    const req = await request('emma', 'Deploy');
    await stack.sql.query(`UPDATE access_requests SET pending_until = now() - interval '1 second' WHERE id = $1`, [req.id]);
    expect((await as('emma').get(`/api/requests/${req.id}`)).json().request.status).toBe('expired');
    const res = await as('amy').post(`/api/requests/${req.id}/approve`, {});
    expect(res.status).toBe(409);
    expect(res.json().error.code).toBe('ALREADY_DECIDED');
    expect((await as('emma').post('/api/grants', { entitlementId: ids.Deploy, kind: 'cli' })).status).toBe(403);
  });

  it('lists: mine for the requester, the approver inbox with the requester’s recent history on that role', async () => {
    const req = await request('emma', 'Deploy');
    const mine = (await as('emma').get('/api/requests?scope=mine')).json().items as { id: string }[];
    expect(mine[0]!.id).toBe(req.id);
    const inbox = (await as('amy').get('/api/requests?scope=approver&status=pending')).json().items as {
      id: string;
      recent: { id: string }[];
      can: { approve: boolean };
    }[];
    const item = inbox.find((i) => i.id === req.id)!;
    expect(item.can.approve).toBe(true);
    expect(item.recent.length).toBeGreaterThan(0);
    expect(item.recent.some((r) => r.id === req.id)).toBe(false);
    // sam approves only stage 2 of Data: emma's Deploy request is not in his inbox
    const samInbox = (await as('sam').get('/api/requests?scope=approver')).json().items as { id: string }[];
    expect(samInbox.some((i) => i.id === req.id)).toBe(false);
    expect((await as('alice').get(`/api/requests/${req.id}`)).status).toBe(404);
    expect((await as('emma').get('/api/requests?scope=everyone')).status).toBe(400);
    await as('emma').post(`/api/requests/${req.id}/cancel`);
  });
});

describe('break-glass', () => {
  it('opens the window at once with a mandatory reason and puts the request in the review queue until an admin closes it', async () => {
    const noReason = await as('emma').post('/api/requests', { entitlementId: ids.BreakGlass, durationSeconds: 1200, reason: '', breakGlass: true });
    expect(noReason.status).toBe(400);
    const req = await request('emma', 'BreakGlass', { durationSeconds: 1200, breakGlass: true, reason: 'prod is down, pager 1234' });
    expect(req.status).toBe('approved');
    expect((await events(req.id)).map((e) => e.type)).toEqual(['break-glass']);
    const grant = await as('emma').post('/api/grants', { entitlementId: ids.BreakGlass, kind: 'cli' });
    expect(grant.status).toBe(201);
    expect(grant.json().grant.requestId).toBe(req.id);

    const queue = (await as('bob').get('/api/admin/reviews')).json().items as { id: string; overdue: boolean; review: { status: string } }[];
    expect(queue.find((i) => i.id === req.id)).toMatchObject({ overdue: false, review: { status: 'open' } });
    expect((await as('emma').get('/api/admin/reviews')).status).toBe(403);
    const closed = await as('bob').post(`/api/admin/reviews/${req.id}/close`, { note: 'checked the CloudTrail; fine' });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.json().request.review).toMatchObject({ status: 'closed', note: 'checked the CloudTrail; fine', by: { email: 'bob@example.com' } });
    expect((await as('bob').post(`/api/admin/reviews/${req.id}/close`, { note: 'again' })).json().error.code).toBe('REVIEW_CLOSED');
    expect((await as('bob').get('/api/admin/reviews')).json().items.some((i: { id: string }) => i.id === req.id)).toBe(false);
  });

  it('an overdue review is flagged', async () => {
    const req = await request('emma', 'BreakGlass', { durationSeconds: 1200, breakGlass: true });
    await stack.sql.query(`UPDATE access_requests SET review_due_at = now() - interval '1 minute' WHERE id = $1`, [req.id]);
    const queue = (await as('bob').get('/api/admin/reviews')).json().items as { id: string; overdue: boolean }[];
    expect(queue.find((i) => i.id === req.id)!.overdue).toBe(true);
    // …and in the metrics.
    const metrics = await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const overdue = Number(/rolegate_break_glass_reviews\{state="overdue"\} (\d+)/.exec(await metrics.text())?.[1]);
    const expected = (await stack.sql.query(`SELECT count(*)::int AS n FROM access_requests WHERE review_status = 'open' AND review_due_at <= now()`)).rows[0]
      .n;
    expect(expected).toBeGreaterThan(0);
    expect(overdue).toBe(expected);
  });

  it('is refused on a role without break-glass (403 BREAK_GLASS_NOT_ALLOWED), nothing stored', async () => {
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM access_requests`)).rows[0].n;
    const res = await as('emma').post('/api/requests', { entitlementId: ids.Deploy, durationSeconds: 900, reason: 'x', breakGlass: true });
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('BREAK_GLASS_NOT_ALLOWED');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM access_requests`)).rows[0].n).toBe(before);
  });
});

describe('two replicas, two approvers at the same moment', () => {
  it('give exactly one transition: one approval opens the window, the other is 409 ALREADY_DECIDED', async () => {
    const second = await stack.startInstance();
    const at = (b: TestBrowser, url: string) => {
      const moved = new TestBrowser(url);
      const cookies = b.jar.header();
      if (cookies) moved.jar.store(cookies.split('; '));
      moved.csrfToken = b.csrfToken;
      return moved;
    };
    for (let round = 0; round < 5; round++) {
      const req = await request('emma', 'Deploy');
      const [a, b] = await Promise.all([
        as('amy').post(`/api/requests/${req.id}/approve`, {}),
        at(as('grace'), second.baseUrl).post(`/api/requests/${req.id}/${round % 2 === 0 ? 'approve' : 'deny'}`, {}),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.json().error.code).toBe('ALREADY_DECIDED');
      const decided = (await events(req.id)).filter((e) => e.type !== 'requested');
      expect(decided).toHaveLength(1);
      const status = (await stack.sql.query(`SELECT status FROM access_requests WHERE id = $1`, [req.id])).rows[0].status;
      expect(status).toBe(decided[0]!.type === 'approved' ? 'approved' : 'denied');
      if (status === 'approved') await as('emma').post(`/api/requests/${req.id}/end`);
    }
  });
});

describe('the runtime database role', () => {
  it('appends request events but can neither rewrite nor delete them, nor reopen or delete a request', async () => {
    const req = await request('emma', 'Deploy');
    await as('amy').post(`/api/requests/${req.id}/deny`, {});
    const runtime = new pg.Client({ connectionString: stack.runtimeUrl });
    await runtime.connect();
    try {
      await expect(runtime.query(`UPDATE access_request_events SET comment = 'x' WHERE request_id = $1`, [req.id])).rejects.toThrow(/permission denied/);
      await expect(runtime.query(`DELETE FROM access_request_events WHERE request_id = $1`, [req.id])).rejects.toThrow(/permission denied/);
      await expect(runtime.query(`DELETE FROM access_requests WHERE id = $1`, [req.id])).rejects.toThrow(/permission denied/);
      await expect(runtime.query(`UPDATE access_requests SET reason = 'rewritten' WHERE id = $1`, [req.id])).rejects.toThrow(/permission denied/);
      await expect(runtime.query(`UPDATE access_requests SET status = 'approved' WHERE id = $1`, [req.id])).rejects.toThrow(
        /cannot go from denied to approved/,
      );
      await expect(runtime.query(`TRUNCATE access_request_events`)).rejects.toThrow(/permission denied/);
    } finally {
      await runtime.end();
    }
    // Even the owner cannot rewrite history (the trigger).
    await expect(stack.sql.query(`UPDATE access_request_events SET comment = 'x' WHERE request_id = $1`, [req.id])).rejects.toThrow(/append-only/);
    expect((await stack.sql.query(`SELECT status, reason FROM access_requests WHERE id = $1`, [req.id])).rows[0]).toEqual({
      status: 'denied',
      reason: 'deploy hotfix 42',
    });
  });
});
