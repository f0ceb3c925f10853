import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { db } from '../errors.js';

export type OutboxChannel = 'webhook' | 'email' | 'slack';

/** A notification to write into the outbox (in the transaction of the change it announces). */
export interface OutboxMessage {
  eventType: string;
  requestId: string | null;
  channel: OutboxChannel;
  /** Where it goes: a webhook URL, an email address list, a Slack channel. */
  target: string;
  payload: Record<string, unknown>;
}

/** An outbox row as the worker and the demo page see it. `id` is the delivery id, the same on every attempt. */
export interface OutboxRecord extends OutboxMessage {
  id: string;
  createdAt: Date;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  lastError: string | null;
}

interface Row {
  id: string;
  created_at: Date;
  event_type: string;
  request_id: string | null;
  channel: OutboxChannel;
  target: string;
  payload: Record<string, unknown>;
  status: OutboxRecord['status'];
  attempts: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  last_error: string | null;
}

const toRecord = (r: Row): OutboxRecord => ({
  id: r.id,
  createdAt: r.created_at,
  eventType: r.event_type,
  requestId: r.request_id,
  channel: r.channel,
  target: r.target,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});

/** Inserts outbox rows on `q` (a transaction's client, so they commit or roll back with the change). */
export async function insertOutbox(q: pg.PoolClient | pg.Pool, messages: readonly OutboxMessage[]): Promise<void> {
  for (const m of messages) {
    await q.query(`INSERT INTO notification_outbox (id, event_type, request_id, channel, target, payload) VALUES ($1, $2, $3, $4, $5, $6)`, [
      randomUUID(),
      m.eventType,
      m.requestId,
      m.channel,
      m.target,
      JSON.stringify(m.payload),
    ]);
  }
}

/** The outbox: claiming due rows for delivery (every replica at once), recording outcomes, listing for the demo page. */
export function createOutboxRepository(pool: pg.Pool) {
  return {
    /**
     * Claims up to `limit` due rows for `leaseMs`: each claimed row counts an
     * attempt and is invisible to other workers until the lease ends (a
     * worker that dies mid-delivery hands its rows back that way). Rows are
     * picked with FOR UPDATE SKIP LOCKED, so two replicas never claim the same row.
     */
    claim: (limit: number, leaseMs: number) =>
      db(async () => {
        const res = await pool.query<Row>(
          `UPDATE notification_outbox SET attempts = attempts + 1, locked_until = now() + $2::int * interval '1 millisecond'
           WHERE id IN (SELECT id FROM notification_outbox
                        WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
                        ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [limit, leaseMs],
        );
        return res.rows.map(toRecord);
      }),

    markDelivered: (id: string) =>
      db(async () => {
        await pool.query(
          `UPDATE notification_outbox SET status = 'delivered', delivered_at = now(), locked_until = NULL, last_error = NULL WHERE id = $1 AND status = 'pending'`,
          [id],
        );
      }),

    /** Schedules another attempt after `delayMs`, or gives up (`failed`) when `final`. */
    markFailedAttempt: (id: string, error: string, delayMs: number, final: boolean) =>
      db(async () => {
        await pool.query(
          `UPDATE notification_outbox SET status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END, last_error = $2,
             next_attempt_at = now() + $3::int * interval '1 millisecond', locked_until = NULL
           WHERE id = $1 AND status = 'pending'`,
          [id, error.slice(0, 500), delayMs, final],
        );
      }),

    /** The newest rows (the demo's outbox page). */
    recent: (limit = 100) =>
      db(async () => (await pool.query<Row>(`SELECT * FROM notification_outbox ORDER BY created_at DESC, id DESC LIMIT $1`, [limit])).rows.map(toRecord)),
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
