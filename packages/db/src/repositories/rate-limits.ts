import type pg from 'pg';
import { db } from '../errors.js';

/** A client's count in its current fixed window. */
export interface RateLimitCount {
  hits: number;
  resetAt: Date;
}

type Row = { hits: number; reset_at: Date };

/**
 * Rate-limit counters in Postgres, shared by every instance (fixed windows).
 * Time comes from the database clock, so instances with skewed clocks still
 * agree on when a window ends. Plain SQL, on every limited request; pass the
 * database's `relaxedPool` (counters need no fsync).
 */
export function createRateLimitRepository(pool: pg.Pool) {
  return {
    /**
     * Counts `by` hits (default 1) for `key` and returns the new count. One
     * atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING`: concurrent hits on
     * any instance are never lost, and an expired window starts over.
     * @throws AppError DATABASE_UNAVAILABLE when Postgres cannot be reached.
     */
    increment: (key: string, windowMs: number, by = 1) =>
      db(async () => {
        const res = await pool.query<Row>(
          `INSERT INTO rate_limit_hits AS r (key, hits, reset_at)
           VALUES ($1, $3::int, now() + $2::int * interval '1 millisecond')
           ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN r.reset_at <= now() THEN $3::int ELSE r.hits + $3::int END,
             reset_at = CASE WHEN r.reset_at <= now() THEN now() + $2::int * interval '1 millisecond' ELSE r.reset_at END
           RETURNING hits, reset_at`,
          [key, windowMs, by],
        );
        const row = res.rows[0]!;
        return { hits: row.hits, resetAt: row.reset_at } satisfies RateLimitCount;
      }),
    /** The count of `key` in its current window, or null when it has none. */
    get: (key: string) =>
      db(async () => {
        const res = await pool.query<Row>('SELECT hits, reset_at FROM rate_limit_hits WHERE key = $1 AND reset_at > now()', [key]);
        const row = res.rows[0];
        return row ? ({ hits: row.hits, resetAt: row.reset_at } satisfies RateLimitCount) : null;
      }),
    /** Takes back one hit in the current window (never below zero). */
    decrement: (key: string) =>
      db(async () => {
        await pool.query('UPDATE rate_limit_hits SET hits = GREATEST(hits - 1, 0) WHERE key = $1 AND reset_at > now()', [key]);
      }),
    /** Forgets `key` entirely. */
    reset: (key: string) =>
      db(async () => {
        await pool.query('DELETE FROM rate_limit_hits WHERE key = $1', [key]);
      }),
    /** Deletes counters whose window has ended; returns how many went. */
    purgeExpired: () => db(async () => (await pool.query('DELETE FROM rate_limit_hits WHERE reset_at <= now()')).rowCount ?? 0),
  };
}

export type RateLimitRepository = ReturnType<typeof createRateLimitRepository>;
