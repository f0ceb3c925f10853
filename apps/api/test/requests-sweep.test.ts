import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createRepositories, type Database } from '@rolegate/db';
import { createAnnouncer } from '../src/notifications/announce.js';
import { createRequestSweeper } from '../src/request-sweeper.js';
import { createLogger } from '../src/logger.js';
import { startStack, type Stack, testPerson } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// Pending timeout and escalation (issue 14): a periodic sweep on every
// replica records expiries and escalates once, each announced in the outbox.

const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - group: engineers
    roleArn: "arn:aws:iam::222222222222:role/Deploy"
    maxDurationSeconds: 7200
    access: approval
    approvers: [prod-approvers]
    pendingTimeoutSeconds: 3600
    escalateAfterSeconds: 600
    escalateTo: [engineering-leads]
  - group: engineers
    roleArn: "arn:aws:iam::222222222222:role/Emergency"
    maxDurationSeconds: 3600
    access: approval
    approvers: [prod-approvers]
    breakGlass: true
    reviewWithinSeconds: 3600
`;
const person = testPerson;

let stack: Stack;
let emma: TestBrowser;
let amy: TestBrowser;
let second: Database;
let entitlementId: string;

beforeAll(async () => {
  stack = await startStack({
    mappingsYaml: MAPPINGS,
    extraUsers: [person('emma', ['engineers']), person('amy', ['prod-approvers'])],
    // Announced to a webhook (no worker runs here: the rows stay in the outbox for the assertions).
    env: { NOTIFY_WEBHOOK_URLS: 'https://hooks.example.com/rolegate', NOTIFY_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}` },
  });
  emma = await stack.signIn('emma');
  amy = await stack.signIn('amy');
  second = createDatabase({ url: stack.runtimeUrl, max: 2 });
  entitlementId = (await stack.mappingIds()).Deploy!;
});
afterAll(async () => {
  await second?.close().catch(() => {});
  await stack?.close();
});

const log = createLogger({ level: 'silent' });
const announce = createAnnouncer({ publicUrl: 'http://127.0.0.1', routes: [{ channel: 'webhook', target: 'https://hooks.example.com/rolegate' }] });
const sweeperOn = (db: Database) => createRequestSweeper({ requests: createRepositories(db).requests, announce, log, reviewRenotifySeconds: 3600 });
const eventsOf = async (id: string) =>
  (
    await stack.sql.query<{ type: string; actor_email: string }>(`SELECT type, actor_email FROM access_request_events WHERE request_id = $1 ORDER BY at, id`, [
      id,
    ])
  ).rows;
const outboxOf = async (id: string) =>
  (
    await stack.sql.query<{ event_type: string; payload: { data: { escalateTo?: string[] } } }>(
      `SELECT event_type, payload FROM notification_outbox WHERE request_id = $1 ORDER BY created_at`,
      [id],
    )
  ).rows;

describe('the request sweep', () => {
  it('escalates a request pending past escalateAfterSeconds once, on two replicas at once, and announces it', async () => {
    const id = (await emma.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: 'needs a lead' })).json().request.id as string;
    const fresh = await sweeperOn(stack.database).runOnce();
    expect(fresh.escalated).not.toContain(id);
    await stack.sql.query(`UPDATE access_requests SET created_at = now() - interval '11 minutes' WHERE id = $1`, [id]);
    const [a, b] = await Promise.all([sweeperOn(stack.database).runOnce(), sweeperOn(second).runOnce()]);
    expect([...a.escalated, ...b.escalated].filter((x) => x === id)).toHaveLength(1);
    expect((await eventsOf(id)).map((e) => e.type)).toEqual(['requested', 'escalated']);
    expect((await sweeperOn(second).runOnce()).escalated).not.toContain(id);
    const escalations = (await outboxOf(id)).filter((o) => o.event_type === 'request.escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.payload.data.escalateTo).toEqual(['engineering-leads']);
    // Still pending: an approver can decide it.
    expect((await amy.post(`/api/requests/${id}/approve`, {})).status).toBe(200);
  });

  it('records the expiry of a request pending past its timeout, once, and announces it', async () => {
    const id = (await emma.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: 'will expire' })).json().request.id as string;
    await stack.sql.query(`UPDATE access_requests SET pending_until = now() - interval '1 second' WHERE id = $1`, [id]);
    const [a, b] = await Promise.all([sweeperOn(stack.database).runOnce(), sweeperOn(second).runOnce()]);
    expect([...a.expired, ...b.expired].filter((x) => x === id)).toHaveLength(1);
    expect((await stack.sql.query(`SELECT status FROM access_requests WHERE id = $1`, [id])).rows[0].status).toBe('expired');
    expect((await eventsOf(id)).map((e) => [e.type, e.actor_email])).toEqual([
      ['requested', 'emma@example.com'],
      ['expired', 'rolegate'],
    ]);
    expect((await outboxOf(id)).map((o) => o.event_type)).toEqual(['request.created', 'request.expired']);
    expect((await amy.post(`/api/requests/${id}/approve`, {})).json().error.code).toBe('ALREADY_DECIDED');
  });

  it('announces an overdue break-glass review again once per interval, not on every pass, on two replicas at once; a closed review never', async () => {
    const emergency = (await stack.mappingIds()).Emergency!;
    const id = (await emma.post('/api/requests', { entitlementId: emergency, durationSeconds: 1800, reason: 'incident', breakGlass: true })).json().request
      .id as string;
    expect((await sweeperOn(stack.database).runOnce()).overdueReviews).not.toContain(id);
    await stack.sql.query(`UPDATE access_requests SET review_due_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    const [a, b] = await Promise.all([sweeperOn(stack.database).runOnce(), sweeperOn(second).runOnce()]);
    expect([...a.overdueReviews, ...b.overdueReviews].filter((x) => x === id)).toHaveLength(1);
    // The next passes, within the interval, announce nothing more.
    expect((await sweeperOn(second).runOnce()).overdueReviews).not.toContain(id);
    expect((await sweeperOn(stack.database).runOnce()).overdueReviews).not.toContain(id);
    expect((await outboxOf(id)).map((o) => o.event_type)).toEqual(['request.break_glass', 'review.overdue']);
    // An interval later: once more.
    await stack.sql.query(`UPDATE access_requests SET review_notified_at = now() - interval '61 minutes' WHERE id = $1`, [id]);
    expect((await sweeperOn(second).runOnce()).overdueReviews).toContain(id);
    expect((await eventsOf(id)).map((e) => [e.type, e.actor_email])).toEqual([
      ['break-glass', 'emma@example.com'],
      ['review-overdue', 'rolegate'],
      ['review-overdue', 'rolegate'],
    ]);
    // Closed: no more reminders, however late.
    const bob = await stack.signIn('bob');
    expect((await bob.post(`/api/admin/reviews/${id}/close`, { note: 'checked the session log' })).status).toBe(200);
    await stack.sql.query(`UPDATE access_requests SET review_notified_at = now() - interval '10 hours' WHERE id = $1`, [id]);
    expect((await sweeperOn(stack.database).runOnce()).overdueReviews).not.toContain(id);
    expect((await outboxOf(id)).filter((o) => o.event_type === 'review.overdue')).toHaveLength(2);
  });
});
