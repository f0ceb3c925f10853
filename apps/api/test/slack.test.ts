import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '@rolegate/db';
import { createOutboxWorker } from '../src/notifications/outbox-worker.js';
import { channelsFor } from '../src/notifications/channels.js';
import { APPROVE_ACTION, REVIEW_ACTION } from '../src/notifications/slack-message.js';
import { configFrom } from './support/config.js';
import { signSlackRequest } from '../src/slack/signature.js';
import { createLogger } from '../src/logger.js';
import { startFakeSlack } from './support/fake-slack.js';
import { startStack, type Stack, testPerson } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// The Slack channel and Slack's interactive requests (issue 14): a message
// per request, updated when it is decided or cancelled, posted through
// @slack/web-api to a fake of Slack's Web API; button clicks verified with
// the signing secret (5-minute window, replays refused across replicas);
// approving in Slack only when switched on, then with every approval rule.

const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers], approvals: 2 }
`;
const SIGNING_SECRET = 'slack-signing-secret-0123456789abcdef';
const CHANNEL = 'C0ROLEGATE1';
const TOKEN = 'xoxb-1234567890-test-token';
const log = createLogger({ level: 'silent' });

let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let off: Stack; // SLACK_APPROVE_IN_SLACK unset (the default)
let on: Stack; // SLACK_APPROVE_IN_SLACK=1
const people = () => [testPerson('emma', ['engineers']), testPerson('amy', ['prod-approvers']), testPerson('alex', ['prod-approvers'])];
const slackEnv = (apiUrl: string, approve: boolean) => ({
  NOTIFY_SLACK_TOKEN: TOKEN,
  NOTIFY_SLACK_CHANNEL: CHANNEL,
  NOTIFY_SLACK_API_URL: apiUrl,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  ...(approve ? { SLACK_APPROVE_IN_SLACK: '1' } : {}),
});

beforeAll(async () => {
  fake = await startFakeSlack({ emails: { U0AMY: 'amy@example.com', U0ALEX: 'ALEX@example.com', U0EMMA: 'emma@example.com', U0NOBODY: 'nobody@example.com' } });
  [off, on] = await Promise.all([
    startStack({ mappingsYaml: MAPPINGS, extraUsers: people(), env: slackEnv(fake.apiUrl, false) }),
    startStack({ mappingsYaml: MAPPINGS, extraUsers: people(), env: slackEnv(fake.apiUrl, true) }),
  ]);
}, 120_000);
afterAll(async () => {
  await off?.close();
  await on?.close();
  await fake?.close();
});

async function fileRequest(stack: Stack, emma: TestBrowser, reason = 'release 42') {
  const entitlementId = (await stack.mappingIds()).Deploy!;
  const res = await emma.post('/api/requests', { entitlementId, durationSeconds: 3600, reason });
  expect(res.status).toBe(201);
  return res.json().request.id as string;
}

/** Delivers every pending outbox row of `stack` through the Slack channel as main.ts wires it. */
async function deliver(stack: Stack, approveInSlack = false) {
  const config = configFrom(slackEnv(fake.apiUrl, approveInSlack));
  const repos = createRepositories(stack.database);
  const { channels } = channelsFor(config, { slackMessages: repos.slack });
  const worker = createOutboxWorker({ outbox: repos.outbox, channels, log, maxAttempts: 10, leaseMs: 10_000, backoff: { baseMs: 20, maxMs: 100 } });
  worker.start(20);
  try {
    await expect
      .poll(async () => (await stack.sql.query(`SELECT 1 FROM notification_outbox WHERE status <> 'delivered'`)).rowCount, { timeout: 30_000, interval: 50 })
      .toBe(0);
  } finally {
    await worker.stop();
  }
}

/** Posts a Slack interaction the way Slack does: form-encoded `payload`, signed over the raw body. */
async function click(baseUrl: string, opts: { user: string; action: string; value?: string; at?: number; secret?: string; body?: string }) {
  const at = opts.at ?? Math.floor(Date.now() / 1000);
  const payload = { type: 'block_actions', user: { id: opts.user }, actions: [{ action_id: opts.action, ...(opts.value ? { value: opts.value } : {}) }] };
  const body = opts.body ?? new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': signSlackRequest(opts.secret ?? SIGNING_SECRET, at, body),
  };
  const send = async (h = headers) => {
    const res = await fetch(`${baseUrl}/api/slack/interactions`, { method: 'POST', headers: h, body });
    return { status: res.status, json: (await res.json()) as { error?: { code: string }; outcome?: string } };
  };
  return { ...(await send()), again: send, headers, body };
}

const eventsOf = async (stack: Stack, id: string) =>
  (
    await stack.sql.query<{ type: string; actor_email: string }>(`SELECT type, actor_email FROM access_request_events WHERE request_id = $1 ORDER BY at, id`, [
      id,
    ])
  ).rows;
const statusOf = async (stack: Stack, id: string) =>
  (await stack.sql.query<{ status: string }>(`SELECT status FROM access_requests WHERE id = $1`, [id])).rows[0]!.status;

describe('the Slack channel', () => {
  it('posts one message per request with its facts and a Review link, retries a failed call, and updates the message when the request is decided or cancelled', async () => {
    const emma = await off.signIn('emma');
    const amy = await off.signIn('amy');
    const alex = await off.signIn('alex');
    const id = await fileRequest(off, emma, 'release <!channel> & more');
    const cancelled = await fileRequest(off, emma, 'not needed after all');
    fake.calls.length = 0;
    fake.failNext('http', 'error');
    await deliver(off);

    const posts = fake.calls.filter((c) => c.method === 'chat.postMessage');
    // Two failed attempts (HTTP 500, then ok: false), then one message per request.
    expect(posts).toHaveLength(4);
    expect(fake.calls.every((c) => c.token === TOKEN)).toBe(true);
    const post = posts.find((c) => JSON.stringify(c.args.blocks).includes(id))!;
    expect(post.args.channel).toBe(CHANNEL);
    const blocks = JSON.stringify(post.args.blocks);
    for (const fact of ['emma@example.com', 'Deploy', '222222222222', '1 h', 'release &lt;!channel&gt; &amp; more']) expect(blocks).toContain(fact);
    expect(blocks).not.toContain('<!channel>');
    const actions = (post.args.blocks as { type: string; elements?: { action_id: string; url?: string }[] }[]).find((b) => b.type === 'actions')!.elements!;
    // Approving in Slack is off: the only button is the link to the approval page.
    expect(actions).toEqual([expect.objectContaining({ action_id: REVIEW_ACTION, url: `${off.baseUrl}/requests/${id}` })]);
    const saved = await off.sql.query<{ request_id: string; ts: string }>(`SELECT request_id, ts FROM slack_messages WHERE channel = $1`, [CHANNEL]);
    expect(saved.rows.map((r) => r.request_id).sort()).toEqual([id, cancelled].sort());
    const ts = saved.rows.find((r) => r.request_id === id)!.ts;

    expect((await amy.post(`/api/requests/${id}/approve`, {})).status).toBe(200);
    expect((await alex.post(`/api/requests/${id}/approve`, { comment: 'go' })).status).toBe(200);
    expect((await emma.post(`/api/requests/${cancelled}/cancel`)).status).toBe(200);
    fake.calls.length = 0;
    await deliver(off);
    const updates = fake.calls.filter((c) => c.method === 'chat.update');
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
    expect(updates).toHaveLength(2);
    const approved = updates.find((u) => u.args.ts === ts)!;
    expect(approved.args.channel).toBe(CHANNEL);
    expect(JSON.stringify(approved.args.blocks)).toContain('Access request approved');
    expect(JSON.stringify(approved.args.blocks)).toContain('go');
    const other = updates.find((u) => u.args.ts !== ts)!;
    expect(other.args.ts).toBe(saved.rows.find((r) => r.request_id === cancelled)!.ts);
    expect(JSON.stringify(other.args.blocks)).toContain('Access request cancelled');

    // A retry of the older 'created' notification arriving late (a lease ran out mid-send, say) does not turn the message back to pending.
    await off.sql.query(`UPDATE notification_outbox SET status = 'pending', next_attempt_at = now() WHERE request_id = $1 AND event_type = 'request.created'`, [
      id,
    ]);
    fake.calls.length = 0;
    await deliver(off);
    expect(fake.calls.filter((c) => c.method === 'chat.update' || c.method === 'chat.postMessage')).toEqual([]);
    const shown = await off.sql.query<{ ts: string }>(`SELECT ts FROM slack_messages WHERE request_id = $1`, [id]);
    expect(shown.rows).toEqual([{ ts }]);
  });

  it('with approving in Slack on, a pending request message carries an Approve button', async () => {
    const emma = await on.signIn('emma');
    const id = await fileRequest(on, emma);
    fake.calls.length = 0;
    await deliver(on, true);
    const post = fake.calls.find((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks).includes(id))!;
    const actions = (post.args.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find((b) => b.type === 'actions')!.elements!;
    expect(actions.map((a) => a.action_id)).toEqual([REVIEW_ACTION, APPROVE_ACTION]);
    expect(actions[1]!.value).toBe(id);
  });
});

describe('Slack interactive requests', () => {
  it('refuses a bad signature, a wrong secret and a missing one, and approves nothing', async () => {
    const emma = await on.signIn('emma');
    await on.signIn('amy');
    const id = await fileRequest(on, emma);
    const wrongSecret = await click(on.baseUrl, { user: 'U0AMY', action: APPROVE_ACTION, value: id, secret: 'another-secret-0123456789abcdef!!' });
    expect(wrongSecret).toMatchObject({ status: 401, json: { error: { code: 'SLACK_SIGNATURE_INVALID' } } });
    const good = await click(on.baseUrl, { user: 'U0NOBODY', action: REVIEW_ACTION });
    const tampered = await fetch(`${on.baseUrl}/api/slack/interactions`, {
      method: 'POST',
      headers: good.headers,
      body: new URLSearchParams({
        payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0AMY' }, actions: [{ action_id: APPROVE_ACTION, value: id }] }),
      }).toString(),
    });
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { error: { code: string } }).error.code).toBe('SLACK_SIGNATURE_INVALID');
    const unsigned = await fetch(`${on.baseUrl}/api/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: good.body,
    });
    expect(unsigned.status).toBe(401);
    expect((await eventsOf(on, id)).map((e) => e.type)).toEqual(['requested']);
  });

  it('refuses a correctly signed request whose timestamp is more than 5 minutes old', async () => {
    const emma = await on.signIn('emma');
    const id = await fileRequest(on, emma);
    const stale = await click(on.baseUrl, { user: 'U0AMY', action: APPROVE_ACTION, value: id, at: Math.floor(Date.now() / 1000) - 301 });
    expect(stale).toMatchObject({ status: 401, json: { error: { code: 'SLACK_REQUEST_STALE' } } });
    expect((await eventsOf(on, id)).map((e) => e.type)).toEqual(['requested']);
  });

  it('refuses a replay of a signed request, on the same replica and on another', async () => {
    const first = await click(on.baseUrl, { user: 'U0AMY', action: REVIEW_ACTION });
    expect(first).toMatchObject({ status: 200, json: { ok: true, outcome: 'ignored' } });
    expect(await first.again()).toMatchObject({ status: 401, json: { error: { code: 'SLACK_REPLAY' } } });
    const other = await on.startInstance();
    const res = await fetch(`${other.baseUrl}/api/slack/interactions`, { method: 'POST', headers: first.headers, body: first.body });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SLACK_REPLAY');
    const seen = await on.sql.query(`SELECT 1 FROM slack_seen_requests WHERE signature = $1`, [first.headers['x-slack-signature']]);
    expect(seen.rowCount).toBe(1);
  });

  it('with approving in Slack off (the default), an Approve click is refused and counts nothing', async () => {
    const emma = await off.signIn('emma');
    await off.signIn('amy');
    const id = await fileRequest(off, emma);
    fake.calls.length = 0;
    const res = await click(off.baseUrl, { user: 'U0AMY', action: APPROVE_ACTION, value: id });
    expect(res).toMatchObject({ status: 403, json: { error: { code: 'SLACK_APPROVAL_DISABLED' } } });
    expect((await eventsOf(off, id)).map((e) => e.type)).toEqual(['requested']);
    expect(fake.calls.filter((c) => c.method === 'users.info')).toHaveLength(0);
  });

  it('with it on, the Slack user is matched by email and the approval goes through every rule: counted once, never the requester, quorum of two distinct people', async () => {
    const emma = await on.signIn('emma');
    await on.signIn('amy');
    await on.signIn('alex');
    const id = await fileRequest(on, emma);

    expect(await click(on.baseUrl, { user: 'U0EMMA', action: APPROVE_ACTION, value: id })).toMatchObject({
      status: 403,
      json: { error: { code: 'SELF_APPROVAL' } },
    });
    expect(await click(on.baseUrl, { user: 'U0NOBODY', action: APPROVE_ACTION, value: id })).toMatchObject({
      status: 403,
      json: { error: { code: 'SLACK_USER_UNKNOWN' } },
    });
    expect(await click(on.baseUrl, { user: 'U0STRANGER', action: APPROVE_ACTION, value: id })).toMatchObject({
      status: 403,
      json: { error: { code: 'SLACK_USER_UNKNOWN' } },
    });

    const amy = await click(on.baseUrl, { user: 'U0AMY', action: APPROVE_ACTION, value: id });
    expect(amy).toMatchObject({ status: 200, json: { outcome: 'approval-counted' } });
    // A second click by the same person (a new, validly signed request) counts nothing more.
    const twice = await click(on.baseUrl, { user: 'U0AMY', action: APPROVE_ACTION, value: id, at: Math.floor(Date.now() / 1000) - 1 });
    expect(twice.status).toBe(409);
    expect(twice.json.error?.code).toBe('ALREADY_APPROVED_BY_YOU');
    expect(await statusOf(on, id)).toBe('pending');
    expect((await eventsOf(on, id)).filter((e) => e.type === 'approved')).toEqual([{ type: 'approved', actor_email: 'amy@example.com' }]);

    // Slack's email differs in case from the sign-in's: still one person.
    const alex = await click(on.baseUrl, { user: 'U0ALEX', action: APPROVE_ACTION, value: id });
    expect(alex).toMatchObject({ status: 200, json: { outcome: 'approved' } });
    expect(await statusOf(on, id)).toBe('approved');
    expect((await eventsOf(on, id)).filter((e) => e.type === 'approved').map((e) => e.actor_email)).toEqual(['amy@example.com', 'alex@example.com']);
  });

  it('answers 400 to a signed body that is not a block action, and 404 where Slack is not configured', async () => {
    const at = Math.floor(Date.now() / 1000);
    const bad = await click(on.baseUrl, { user: 'U0AMY', action: REVIEW_ACTION, body: 'payload=%7Bnot-json', at });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'VALIDATION_FAILED' } } });
    const plain = await startStack({ mappingsYaml: MAPPINGS });
    try {
      const res = await click(plain.baseUrl, { user: 'U0AMY', action: REVIEW_ACTION });
      expect(res).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
    } finally {
      await plain.close();
    }
  });
});
