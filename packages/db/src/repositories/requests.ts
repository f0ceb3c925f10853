import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, policyOf, type AccessPolicy, type AccessWindowSource, type RequestState, type RequestStatus } from '@rolegate/core';
import { db } from '../errors.js';
import { inTransaction } from '../transaction.js';
import { grantsOfWindow, insertGrantRevocations, type Querier } from './revocations.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './admin-changes.js';
import { insertOutbox, type OutboxMessage } from './outbox.js';

/*
 * Access requests and their append-only events, on plain pg: every
 * lifecycle change runs in one transaction that locks the request row
 * (SELECT … FOR UPDATE), reads what has been counted so far, lets a pure
 * decision function (core request-rules) say what happens, then writes the
 * event and the new state. Two approvers on two replicas at the same moment
 * are serialised by the row lock: the second sees the first's outcome.
 */

export type RequestEventType =
  'requested' | 'break-glass' | 'approved' | 'denied' | 'cancelled' | 'ended' | 'expired' | 'extended' | 'escalated' | 'review-closed' | 'review-overdue';

export interface RequestEvent {
  id: string;
  at: Date;
  type: RequestEventType;
  actor: { id: string | null; email: string };
  stage: number | null;
  comment: string | null;
}

/** A request as stored, with its events (oldest first). */
export interface AccessRequestRecord {
  id: string;
  createdAt: Date;
  requester: { id: string; email: string };
  mappingId: string;
  accountId: string;
  roleArn: string;
  durationSeconds: number;
  reason: string;
  breakGlass: boolean;
  policy: AccessPolicy;
  extendsRequestId: string | null;
  status: RequestStatus;
  pendingUntil: Date;
  decidedAt: Date | null;
  windowStartsAt: Date | null;
  windowEndsAt: Date | null;
  endedAt: Date | null;
  escalatedAt: Date | null;
  review: { status: 'open' | 'closed'; dueAt: Date; by: { id: string; email: string } | null; note: string | null; closedAt: Date | null } | null;
  events: RequestEvent[];
}

/** The request as the lifecycle rules read it. */
export function requestState(r: AccessRequestRecord): RequestState {
  return {
    requesterId: r.requester.id,
    status: r.status,
    policy: r.policy,
    pendingUntil: r.pendingUntil,
    windowEndsAt: r.windowEndsAt,
    approvals: r.events.filter((e) => e.type === 'approved' && e.actor.id).map((e) => ({ userId: e.actor.id!, stage: e.stage ?? 0 })),
  };
}

export interface RequestActorRef {
  id: string | null;
  email: string;
}

/** What a decision does to a request (the event is always written). */
export interface RequestChange {
  event: { type: RequestEventType; stage?: number | null; comment?: string | null };
  status?: RequestStatus;
  /** Opens the window now for the request's duration (or until `windowEndsAt` when given). */
  openWindow?: { endsAt?: Date };
  /** Closes the window now (end early). */
  endWindow?: boolean;
  /** Revokes the window's live grants at AWS (revocation rows written in this transaction, applied by the revocation worker). */
  revokeGrants?: { reason: string };
  closeReview?: { note: string };
}

const REQUEST_COLUMNS = `r.id, r.created_at, r.requester_id, r.requester_email, r.mapping_id, r.account_id, r.role_arn, r.duration_seconds,
  r.reason, r.break_glass, r.policy, r.extends_request_id, r.status, r.pending_until, r.decided_at, r.window_starts_at,
  r.window_ends_at, r.ended_at, r.escalated_at, r.review_status, r.review_due_at, r.review_by_id, r.review_by_email,
  r.review_note, r.review_closed_at`;

interface RequestRow {
  id: string;
  created_at: Date;
  requester_id: string;
  requester_email: string;
  mapping_id: string;
  account_id: string;
  role_arn: string;
  duration_seconds: number;
  reason: string;
  break_glass: boolean;
  policy: Partial<AccessPolicy>;
  extends_request_id: string | null;
  status: RequestStatus;
  pending_until: Date;
  decided_at: Date | null;
  window_starts_at: Date | null;
  window_ends_at: Date | null;
  ended_at: Date | null;
  escalated_at: Date | null;
  review_status: 'open' | 'closed' | null;
  review_due_at: Date | null;
  review_by_id: string | null;
  review_by_email: string | null;
  review_note: string | null;
  review_closed_at: Date | null;
}

interface EventRow {
  id: string;
  request_id: string;
  at: Date;
  type: RequestEventType;
  actor_id: string | null;
  actor_email: string;
  stage: number | null;
  comment: string | null;
}

function toRecord(r: RequestRow, events: EventRow[]): AccessRequestRecord {
  return {
    id: r.id,
    createdAt: r.created_at,
    requester: { id: r.requester_id, email: r.requester_email },
    mappingId: r.mapping_id,
    accountId: r.account_id,
    roleArn: r.role_arn,
    durationSeconds: r.duration_seconds,
    reason: r.reason,
    breakGlass: r.break_glass,
    policy: policyOf(r.policy),
    extendsRequestId: r.extends_request_id,
    status: r.status,
    pendingUntil: r.pending_until,
    decidedAt: r.decided_at,
    windowStartsAt: r.window_starts_at,
    windowEndsAt: r.window_ends_at,
    endedAt: r.ended_at,
    escalatedAt: r.escalated_at,
    review:
      r.review_status && r.review_due_at
        ? {
            status: r.review_status,
            dueAt: r.review_due_at,
            by: r.review_by_id && r.review_by_email ? { id: r.review_by_id, email: r.review_by_email } : null,
            note: r.review_note,
            closedAt: r.review_closed_at,
          }
        : null,
    events: events.map((e) => ({ id: e.id, at: e.at, type: e.type, actor: { id: e.actor_id, email: e.actor_email }, stage: e.stage, comment: e.comment })),
  };
}

/** The actor of changes made by time (expiry, escalation). */
const SYSTEM_ACTOR: RequestActorRef = { id: null, email: 'rolegate' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `second`: a second event of the same transaction, stamped 1 ms after `now()` so the history reads in the order it happened. */
async function insertEvent(q: pg.PoolClient | pg.Pool, requestId: string, actor: RequestActorRef, e: RequestChange['event'], second = false): Promise<void> {
  const at = second ? `now() + interval '1 millisecond'` : 'now()';
  await q.query(
    `INSERT INTO access_request_events (id, request_id, type, actor_id, actor_email, stage, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7, ${at})`,
    [randomUUID(), requestId, e.type, actor.id, actor.email, e.stage ?? null, e.comment ?? null],
  );
}

async function load(q: pg.PoolClient | pg.Pool, ids: string[], lock = false): Promise<AccessRequestRecord[]> {
  if (ids.length === 0) return [];
  const rows = (await q.query<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM access_requests r WHERE r.id = ANY($1::uuid[])${lock ? ' FOR UPDATE' : ''}`, [ids]))
    .rows;
  const events = (await q.query<EventRow>(`SELECT * FROM access_request_events WHERE request_id = ANY($1::uuid[]) ORDER BY at, id`, [ids])).rows;
  const byId = new Map(
    rows.map((r) => [
      r.id,
      toRecord(
        r,
        events.filter((e) => e.request_id === r.id),
      ),
    ]),
  );
  return ids.map((id) => byId.get(id)).filter((r): r is AccessRequestRecord => r !== undefined);
}

export interface NewAccessRequest {
  requester: { id: string; email: string };
  mappingId: string;
  accountId: string;
  roleArn: string;
  durationSeconds: number;
  reason: string;
  policy: AccessPolicy;
  breakGlass: boolean;
  extendsRequestId?: string | null;
}

/**
 * What a committed change announces: outbox rows written in the change's own
 * transaction (so a notification is never lost, nor sent for a change that
 * rolled back). `event` is the event just written.
 */
export type Announce = (r: AccessRequestRecord, event: RequestChange['event']) => OutboxMessage[];

/**
 * How many extensions of the window chain `parentId` belongs to were
 * approved by the policy alone ('extended' events). The chain's first
 * request is locked first, so two extensions asked at the same moment are
 * counted one after the other and never both take the last free one.
 */
async function freeExtensionsUsed(c: pg.PoolClient, parentId: string): Promise<number> {
  const chain = `WITH RECURSIVE chain AS (
      SELECT id, extends_request_id FROM access_requests WHERE id = $1
      UNION ALL SELECT a.id, a.extends_request_id FROM access_requests a JOIN chain ON a.id = chain.extends_request_id)`;
  await c.query(`${chain} SELECT 1 FROM access_requests WHERE id = (SELECT id FROM chain WHERE extends_request_id IS NULL) FOR UPDATE`, [parentId]);
  // Counted after the lock: every member of the chain, and every extension of any member.
  const res = await c.query<{ n: number }>(
    `${chain}, members AS (SELECT id FROM chain UNION SELECT a.id FROM access_requests a JOIN chain ON a.extends_request_id = chain.id)
     SELECT count(*)::int AS n FROM access_request_events e JOIN members m ON e.request_id = m.id WHERE e.type = 'extended'`,
    [parentId],
  );
  return res.rows[0]!.n;
}

/** Access requests: create, decide (race-safe), list, and the open window the grant path asks for. */
export function createRequestRepository(pool: pg.Pool) {
  const announceIn = async (c: pg.PoolClient, fn: Announce | undefined, r: AccessRequestRecord, event: RequestChange['event']) => {
    if (fn) await insertOutbox(c, fn(r, event));
  };
  const windows: AccessWindowSource = {
    activeWindow: (userId, mappingId) =>
      db(async () => {
        if (!UUID.test(mappingId)) return null;
        const res = await pool.query<{ id: string; window_ends_at: Date }>(
          `SELECT id, window_ends_at FROM access_requests
           WHERE requester_id = $1 AND mapping_id = $2 AND status = 'approved' AND window_starts_at <= now() AND window_ends_at > now()
           ORDER BY window_ends_at DESC LIMIT 1`,
          [userId, mappingId],
        );
        const row = res.rows[0];
        return row ? { requestId: row.id, endsAt: row.window_ends_at } : null;
      }),
  };

  return {
    ...windows,

    /**
     * Records a new request and its first event in one transaction. A
     * break-glass request is approved at once: its window opens now and its
     * review is due `reviewWithinSeconds` from now. An extension's window
     * (once approved) continues from the end of the window it extends.
     */
    create: (input: NewAccessRequest, announce?: Announce) =>
      db(() =>
        inTransaction(pool, async (c) => {
          const id = randomUUID();
          const bg = input.breakGlass;
          await c.query(
            `INSERT INTO access_requests (id, requester_id, requester_email, mapping_id, account_id, role_arn, duration_seconds, reason,
               break_glass, policy, extends_request_id, status, pending_until, decided_at, window_starts_at, window_ends_at, review_status, review_due_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now() + $13::int * interval '1 second',
               CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN now() + $7::int * interval '1 second' END,
               CASE WHEN $9 THEN 'open' END, CASE WHEN $9 THEN now() + $14::int * interval '1 second' END)`,
            [
              id,
              input.requester.id,
              input.requester.email,
              input.mappingId,
              input.accountId,
              input.roleArn,
              input.durationSeconds,
              input.reason,
              bg,
              JSON.stringify(input.policy),
              input.extendsRequestId ?? null,
              bg ? 'approved' : 'pending',
              input.policy.pendingTimeoutSeconds,
              input.policy.reviewWithinSeconds,
            ],
          );
          const event = { type: bg ? ('break-glass' as const) : ('requested' as const), comment: input.reason };
          await insertEvent(c, id, input.requester, event);
          if (input.extendsRequestId && input.policy.extensionsWithoutApproval > 0) {
            const used = await freeExtensionsUsed(c, input.extendsRequestId);
            if (used < input.policy.extensionsWithoutApproval) {
              // Approved by the policy: the window continues from the end of the one it extends.
              const extended = {
                type: 'extended' as const,
                comment: `extension ${used + 1} of ${input.policy.extensionsWithoutApproval} without approval`,
              };
              await insertEvent(c, id, SYSTEM_ACTOR, extended, true);
              await c.query(
                `UPDATE access_requests SET status = 'approved', decided_at = now(), window_starts_at = now(), updated_at = now(),
                   window_ends_at = GREATEST(now(), COALESCE((SELECT p.window_ends_at FROM access_requests p
                     WHERE p.id = access_requests.extends_request_id AND p.status = 'approved'), now())) + duration_seconds * interval '1 second'
                 WHERE id = $1`,
                [id],
              );
              const approved = (await load(c, [id]))[0]!;
              await announceIn(c, announce, approved, extended);
              return approved;
            }
          }
          const created = (await load(c, [id]))[0]!;
          await announceIn(c, announce, created, event);
          return created;
        }),
      ),

    /**
     * Locks the request, lets `decide` (a pure rule over the request as
     * stored and the database's clock) return the change or throw, and
     * applies it with its event, all in one transaction.
     * @throws AppError NOT_FOUND, or whatever `decide` throws (nothing written)
     */
    transition: (id: string, actor: RequestActorRef, decide: (r: AccessRequestRecord, now: Date) => RequestChange, announce?: Announce) =>
      db(() =>
        inTransaction(pool, async (c) => {
          if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such request');
          const [found] = await load(c, [id], true);
          if (!found) throw new AppError('NOT_FOUND', 'No such request');
          const now = (await c.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
          const change = decide(found, now);
          await insertEvent(c, id, actor, change.event);
          const sets: string[] = ['updated_at = now()'];
          const params: unknown[] = [id];
          const bind = (v: unknown) => {
            params.push(v);
            return `$${params.length}`;
          };
          if (change.status) sets.push(`status = ${bind(change.status)}`);
          if (change.status && found.status === 'pending') sets.push('decided_at = now()');
          if (change.openWindow) {
            sets.push('window_starts_at = now()');
            sets.push(
              change.openWindow.endsAt
                ? `window_ends_at = ${bind(change.openWindow.endsAt)}::timestamptz`
                : // An extension continues from the end of the window it extends (when that is still open).
                  `window_ends_at = GREATEST(now(), COALESCE((SELECT p.window_ends_at FROM access_requests p
                     WHERE p.id = access_requests.extends_request_id AND p.status = 'approved'), now())) + duration_seconds * interval '1 second'`,
            );
          }
          if (change.endWindow) sets.push('window_ends_at = LEAST(window_ends_at, now())', 'ended_at = now()');
          if (change.closeReview) {
            sets.push(`review_status = 'closed'`, `review_note = ${bind(change.closeReview.note)}`, 'review_closed_at = now()');
            sets.push(`review_by_id = ${bind(actor.id)}::uuid`, `review_by_email = ${bind(actor.email)}`);
          }
          await c.query(`UPDATE access_requests SET ${sets.join(', ')} WHERE id = $1`, params);
          if (change.revokeGrants) {
            await insertGrantRevocations(c, await grantsOfWindow(c, id), { id: actor.id, email: actor.email, reason: change.revokeGrants.reason });
          }
          const after = (await load(c, [id]))[0]!;
          await announceIn(c, announce, after, change.event);
          return after;
        }),
      ),

    /**
     * Records what time decided (at most `limit` of each per call): pending
     * requests past their deadline become `expired`, and those pending past
     * their policy's `escalateAfterSeconds` are escalated once. Rows are
     * claimed with FOR UPDATE SKIP LOCKED, so replicas sweeping at once never
     * record the same change twice; announcements go into the outbox in the
     * same transaction.
     */
    sweepDue: (announce?: Announce, limit = 100) =>
      db(() =>
        inTransaction(pool, async (c) => {
          const ids = async (sql: string) => (await c.query<{ id: string }>(sql, [limit])).rows.map((r) => r.id);
          const expired = await ids(
            `SELECT id FROM access_requests WHERE status = 'pending' AND pending_until <= now() ORDER BY pending_until LIMIT $1 FOR UPDATE SKIP LOCKED`,
          );
          for (const id of expired) {
            await insertEvent(c, id, SYSTEM_ACTOR, { type: 'expired' });
            await c.query(`UPDATE access_requests SET status = 'expired', decided_at = pending_until, updated_at = now() WHERE id = $1`, [id]);
          }
          const escalated = await ids(
            `SELECT id FROM access_requests
             WHERE status = 'pending' AND escalated_at IS NULL AND pending_until > now()
               AND jsonb_typeof(policy->'escalateAfterSeconds') = 'number'
               AND created_at + (policy->>'escalateAfterSeconds')::int * interval '1 second' <= now()
             ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          );
          for (const id of escalated) {
            await insertEvent(c, id, SYSTEM_ACTOR, { type: 'escalated' });
            await c.query(`UPDATE access_requests SET escalated_at = now(), updated_at = now() WHERE id = $1`, [id]);
          }
          for (const r of await load(c, [...expired, ...escalated])) {
            await announceIn(c, announce, r, { type: expired.includes(r.id) ? 'expired' : 'escalated' });
          }
          return { expired, escalated };
        }),
      ),

    /**
     * Announces each open break-glass review past its due time again, at
     * most once per `intervalSeconds` (not on every sweep): rows are claimed
     * with FOR UPDATE SKIP LOCKED and stamped `review_notified_at` in the
     * same transaction as their 'review-overdue' event and outbox rows, so
     * two replicas never send one reminder twice.
     */
    sweepOverdueReviews: (intervalSeconds: number, announce?: Announce, limit = 100) =>
      db(() =>
        inTransaction(pool, async (c) => {
          const ids = (
            await c.query<{ id: string }>(
              `SELECT id FROM access_requests
               WHERE review_status = 'open' AND review_due_at <= now()
                 AND (review_notified_at IS NULL OR review_notified_at <= now() - $2::int * interval '1 second')
               ORDER BY review_due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
              [limit, intervalSeconds],
            )
          ).rows.map((r) => r.id);
          for (const id of ids) {
            await insertEvent(c, id, SYSTEM_ACTOR, { type: 'review-overdue' });
            await c.query(`UPDATE access_requests SET review_notified_at = now(), updated_at = now() WHERE id = $1`, [id]);
          }
          for (const r of await load(c, ids)) await announceIn(c, announce, r, { type: 'review-overdue' });
          return ids;
        }),
      ),

    /** Break-glass reviews still open, and how many of them are past due (for the metrics). */
    reviewCounts: () =>
      db(async () => {
        const r = await pool.query<{ open: number; overdue: number }>(
          `SELECT count(*)::int AS open, count(*) FILTER (WHERE review_due_at <= now())::int AS overdue FROM access_requests WHERE review_status = 'open'`,
        );
        return r.rows[0]!;
      }),

    /** One request with its events, or null. */
    findById: (id: string) => db(async () => (UUID.test(id) ? ((await load(pool, [id]))[0] ?? null) : null)),

    /**
     * A page of requests, newest first. `requesterId` limits to one person's;
     * `approverGroups` to requests some stage of whose policy names one of
     * those groups (exact match); `status` to a stored status.
     */
    list: (q: {
      requesterId?: string;
      approverGroups?: string[];
      status?: RequestStatus;
      reviewOpen?: boolean;
      mappingId?: string;
      limit: number;
      cursor?: string | undefined;
    }) =>
      db(async () => {
        const conds: string[] = [];
        const params: unknown[] = [];
        const bind = (v: unknown) => {
          params.push(v);
          return `$${params.length}`;
        };
        if (q.requesterId) conds.push(`r.requester_id = ${bind(q.requesterId)}::uuid`);
        if (q.mappingId) conds.push(`r.mapping_id = ${bind(q.mappingId)}::uuid`);
        if (q.status) conds.push(`r.status = ${bind(q.status)}`);
        if (q.reviewOpen) conds.push(`r.review_status = 'open'`);
        if (q.approverGroups) {
          const g = bind(q.approverGroups);
          conds.push(`(EXISTS (SELECT 1 FROM jsonb_array_elements_text(r.policy->'approvers') a WHERE a = ANY(${g}::text[]))
            OR EXISTS (SELECT 1 FROM jsonb_array_elements(r.policy->'stages') s, jsonb_array_elements_text(s->'approvers') a WHERE a = ANY(${g}::text[])))`);
        }
        if (q.cursor) {
          const after = decodeKeysetCursor(q.cursor);
          conds.push(`(r.created_at, r.id) < (${bind(after.createdAt)}::timestamptz, ${bind(after.id)}::uuid)`);
        }
        const rows = (
          await pool.query<{ id: string; created_at: Date }>(
            `SELECT r.id, r.created_at FROM access_requests r ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}
             ORDER BY r.created_at DESC, r.id DESC LIMIT ${bind(q.limit + 1)}`,
            params,
          )
        ).rows;
        const page = rows.slice(0, q.limit);
        const last = page.at(-1);
        return {
          items: await load(
            pool,
            page.map((r) => r.id),
          ),
          nextCursor: rows.length > q.limit && last ? encodeKeysetCursor({ createdAt: last.created_at, id: last.id }) : null,
        };
      }),

    /** The open requests of one person on one role (one pending request per person and role is enough). */
    openFor: (requesterId: string, mappingId: string) =>
      db(async () => {
        const ids = (
          await pool.query<{ id: string }>(
            `SELECT id FROM access_requests WHERE requester_id = $1 AND mapping_id = $2 AND status = 'pending' AND pending_until > now() ORDER BY created_at DESC`,
            [requesterId, mappingId],
          )
        ).rows.map((r) => r.id);
        return load(pool, ids);
      }),
  };
}

export type RequestRepository = ReturnType<typeof createRequestRepository>;

/**
 * A cut-off (admin or provisioning) closes the person's requests in its own
 * transaction: open windows end as `revoked` and pending requests are
 * cancelled, each with its event. Otherwise a fresh, entitled sign-in after
 * the cut-off would mint sessions again on the approval that predates it,
 * and approvers would still be asked about a person who was cut off.
 */
export async function closeRequestsOfCutOff(
  q: Querier,
  userIds: string[],
  actor: RequestActorRef,
  comment: string,
): Promise<{ windows: number; pending: number }> {
  if (userIds.length === 0) return { windows: 0, pending: 0 };
  const windows = await q.query<{ id: string }>(
    `UPDATE access_requests SET status = 'revoked', window_ends_at = LEAST(window_ends_at, now()), ended_at = now(), updated_at = now()
     WHERE requester_id = ANY($1::uuid[]) AND status = 'approved' AND window_ends_at > now() RETURNING id`,
    [userIds],
  );
  const pending = await q.query<{ id: string }>(
    `UPDATE access_requests SET status = 'cancelled', decided_at = now(), updated_at = now()
     WHERE requester_id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`,
    [userIds],
  );
  const events = [...windows.rows.map((r) => ({ id: r.id, type: 'ended' })), ...pending.rows.map((r) => ({ id: r.id, type: 'cancelled' }))];
  for (const e of events) {
    await q.query(`INSERT INTO access_request_events (id, request_id, type, actor_id, actor_email, comment, at) VALUES ($1, $2, $3, $4, $5, $6, now())`, [
      randomUUID(),
      e.id,
      e.type,
      actor.id,
      actor.email,
      comment,
    ]);
  }
  return { windows: windows.rows.length, pending: pending.rows.length };
}
