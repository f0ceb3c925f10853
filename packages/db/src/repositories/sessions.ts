import type pg from 'pg';
import { db } from '../errors.js';
import type { Database } from '../client.js';

/**
 * Server-side web sessions, keyed by a digest of the cookie value (never the
 * value itself). Plain SQL: this runs on every request.
 */
export function createSessionRepository(database: Pick<Database, 'pool' | 'relaxedPool'>) {
  const { pool, relaxedPool } = database;
  const write = (sql: string, params: unknown[], on: pg.Pool = relaxedPool) => db(async () => void (await on.query(sql, params)));
  return {
    get: (id: string) =>
      db(async () => {
        const res = await pool.query<{ data: Record<string, unknown> }>('SELECT data FROM web_sessions WHERE id = $1 AND expires_at > now()', [id]);
        return res.rows[0]?.data ?? null;
      }),
    /** Creates or replaces a session. Losing this write in a crash only signs the user out. */
    set: (id: string, data: Record<string, unknown>, expiresAt: Date, userId: string | null) =>
      write(
        `INSERT INTO web_sessions (id, data, user_id, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, user_id = EXCLUDED.user_id,
           expires_at = EXCLUDED.expires_at, updated_at = now()`,
        [id, JSON.stringify(data), userId, expiresAt],
      ),
    touch: (id: string, expiresAt: Date) => write('UPDATE web_sessions SET expires_at = $2 WHERE id = $1', [id, expiresAt]),
    /** Durable: a sign-out must survive a crash. */
    destroy: (id: string) => write('DELETE FROM web_sessions WHERE id = $1', [id], pool),
    /** Deletes expired sessions and login transactions; returns how many sessions went. */
    purgeExpired: () =>
      db(async () => {
        const s = await pool.query('DELETE FROM web_sessions WHERE expires_at < now()');
        await pool.query('DELETE FROM login_transactions WHERE expires_at < now()');
        return s.rowCount ?? 0;
      }),
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
