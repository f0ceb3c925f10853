import type pg from 'pg';
import { db } from '../errors.js';

/** What a key already names when it cannot be claimed. */
export interface IdempotencyRecord {
  requestSha256: string;
  grantId: string | null;
}

/**
 * Idempotency keys of grant requests, shared by every instance. A key lives
 * `ttlSeconds` (database clock); plain SQL on the grant path.
 */
export function createIdempotencyKeyRepository(pool: pg.Pool, ttlSeconds = 600) {
  return {
    /**
     * Claims `key` for this user and request digest. Returns null when the
     * claim is ours (new, or the old one had expired), else what the key names.
     * Expired keys of the user are dropped on the way, so the table stays small.
     * @throws AppError DATABASE_UNAVAILABLE
     */
    claim: (userId: string, key: string, requestSha256: string) =>
      db(async () => {
        await pool.query(`DELETE FROM grant_idempotency_keys WHERE user_id = $1 AND created_at < now() - $2::int * interval '1 second'`, [userId, ttlSeconds]);
        const ins = await pool.query(
          `INSERT INTO grant_idempotency_keys (user_id, key, request_sha256) VALUES ($1, $2, $3) ON CONFLICT (user_id, key) DO NOTHING`,
          [userId, key, requestSha256],
        );
        if (ins.rowCount === 1) return null;
        const cur = await pool.query<{ request_sha256: string; grant_id: string | null }>(
          `SELECT request_sha256, grant_id FROM grant_idempotency_keys WHERE user_id = $1 AND key = $2`,
          [userId, key],
        );
        const row = cur.rows[0];
        // Gone between the two statements (released by a failed attempt): the caller may retry.
        if (!row) return { requestSha256, grantId: null } satisfies IdempotencyRecord;
        return { requestSha256: row.request_sha256, grantId: row.grant_id } satisfies IdempotencyRecord;
      }),
    /** Records the grant a claimed key made. */
    complete: (userId: string, key: string, grantId: string) =>
      db(async () => {
        await pool.query(`UPDATE grant_idempotency_keys SET grant_id = $3 WHERE user_id = $1 AND key = $2`, [userId, key, grantId]);
      }),
    /** Gives a claimed key up (the attempt handed out nothing, so a retry may run). */
    release: (userId: string, key: string) =>
      db(async () => {
        await pool.query(`DELETE FROM grant_idempotency_keys WHERE user_id = $1 AND key = $2 AND grant_id IS NULL`, [userId, key]);
      }),
  };
}

export type IdempotencyKeyRepository = ReturnType<typeof createIdempotencyKeyRepository>;
