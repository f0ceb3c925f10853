import type { GrantRecord, GrantStore, NewGrant } from '@rolegate/core';
import { AppError } from '@rolegate/core';
import { db } from '../errors.js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** Runs an outcome UPDATE guarded by `status = 'pending'`: an outcome is recorded exactly once. */
async function recordOutcome(pool: pg.Pool, sql: string, params: unknown[]): Promise<void> {
  const res = await pool.query(sql, params);
  if (res.rowCount !== 1) throw new AppError('INTERNAL', 'the grant is not pending');
}

/** Grant rows: the write-ahead audit record of every grant attempt. */
export function createGrantRepository(pool: pg.Pool) {
  // The write-ahead path runs on every grant: plain parameterised SQL on the
  // durable pool (each statement commits on its own, with fsync).
  const store: GrantStore = {
    // The row is exactly what was sent: only the id and the database's clock come back.
    insert: (g: NewGrant) =>
      db(async () => {
        const id = g.id ?? randomUUID();
        const res = await pool.query<{ created_at: Date }>(
          `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn,
             role_session_name, source_identity, kind, duration_seconds, reason, status, client_ip, user_agent, error, request_id)
           VALUES ($18, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19) RETURNING created_at`,
          [
            g.user.id,
            g.user.email,
            g.user.subject,
            g.user.idp,
            g.groups,
            g.mappingId,
            g.accountId,
            g.roleArn,
            g.roleSessionName,
            g.sourceIdentity,
            g.kind,
            g.durationSeconds,
            g.reason,
            g.status,
            g.clientIp,
            g.userAgent,
            g.error ?? null,
            id,
            g.requestId ?? null,
          ],
        );
        return {
          ...g,
          id,
          createdAt: res.rows[0]!.created_at,
          user: { ...g.user },
          groups: [...g.groups],
          expiresAt: null,
          stsRequestId: null,
          accessKeyId: null,
          error: g.error ?? null,
          requestId: g.requestId ?? null,
        } satisfies GrantRecord;
      }),
    // The outcome is exactly what was sent: nothing needs to come back.
    markIssued: (pending, o) =>
      db(async () => {
        await recordOutcome(
          pool,
          `UPDATE grants SET status = 'issued', sts_request_id = $2, access_key_id = $3, expires_at = $4, updated_at = now()
           WHERE id = $1 AND status = 'pending'`,
          [pending.id, o.stsRequestId, o.accessKeyId, o.expiresAt],
        );
        return { ...pending, status: 'issued', stsRequestId: o.stsRequestId, accessKeyId: o.accessKeyId, expiresAt: o.expiresAt };
      }),
    markFailed: (pending, o) =>
      db(async () => {
        const outcome = { error: o.error, stsRequestId: o.stsRequestId ?? null, accessKeyId: o.accessKeyId ?? null };
        await recordOutcome(
          pool,
          `UPDATE grants SET status = 'failed', error = $2, sts_request_id = $3, access_key_id = $4, updated_at = now()
           WHERE id = $1 AND status = 'pending'`,
          [pending.id, outcome.error, outcome.stsRequestId, outcome.accessKeyId],
        );
        return { ...pending, status: 'failed', ...outcome };
      }),
  };

  return {
    ...store,
    /**
     * Closes grants still `pending` after `olderThanMs` as `abandoned` (at
     * most `limit` per call). Every instance may run it at once: rows are
     * claimed with FOR UPDATE SKIP LOCKED, and only pending rows change.
     * @returns the ids closed.
     */
    abandonStale: (olderThanMs: number, limit = 500) =>
      db(async () => {
        const res = await pool.query<{ id: string; kind: string }>(
          `UPDATE grants SET status = 'abandoned', error = 'abandoned:aws-outcome-unknown', updated_at = now()
           WHERE id IN (SELECT id FROM grants WHERE status = 'pending' AND created_at < now() - $1::int * interval '1 millisecond'
                        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
             AND status = 'pending'
           RETURNING id, kind`,
          [olderThanMs, limit],
        );
        return res.rows.map((r) => ({ id: r.id, kind: r.kind }));
      }),
  };
}

export type GrantRepository = ReturnType<typeof createGrantRepository>;
