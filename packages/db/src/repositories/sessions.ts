import type pg from 'pg';
import { db } from '../errors.js';
import type { Database } from '../client.js';
import type { ChangeFeed } from '../change-feed.js';

/** A stored session and the moment it stops being valid. */
export interface SessionEntry {
  data: Record<string, unknown>;
  expiresAt: Date;
}

/**
 * Server-side web sessions, keyed by a digest of the cookie value (never the
 * value itself). Plain SQL: this runs on every request.
 */
export function createSessionRepository(database: Pick<Database, 'pool' | 'relaxedPool'>) {
  const { pool, relaxedPool } = database;
  const write = (sql: string, params: unknown[], on: pg.Pool = relaxedPool) => db(async () => void (await on.query(sql, params)));
  return {
    /** The live (unexpired) session `id`, or null. */
    get: (id: string): Promise<SessionEntry | null> =>
      db(async () => {
        const res = await pool.query<{ data: Record<string, unknown>; expires_at: Date }>(
          'SELECT data, expires_at FROM web_sessions WHERE id = $1 AND expires_at > now()',
          [id],
        );
        const row = res.rows[0];
        return row ? { data: row.data, expiresAt: row.expires_at } : null;
      }),
    /** Creates or replaces a session. Losing this write in a crash only signs the user out. */
    set: (id: string, data: Record<string, unknown>, expiresAt: Date, userId: string | null) =>
      write(
        `INSERT INTO web_sessions (id, data, user_id, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, user_id = EXCLUDED.user_id,
           expires_at = EXCLUDED.expires_at, updated_at = now()`,
        [id, JSON.stringify(data), userId, expiresAt],
      ),
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

/** The channel the session triggers NOTIFY on (migration 20261129160000): changed or deleted ids, or '*'. */
export const SESSIONS_CHANNEL = 'rolegate_sessions';

/**
 * Sessions read from memory after the first read, for as long as the change
 * feed is live. Every UPDATE or DELETE of a session row, by any instance,
 * NOTIFYs its id at commit (a trigger), and the entry is dropped; so is every
 * entry when the feed goes down or comes back. A read that raced with a
 * change is not cached. Entries never outlive their session, nor `maxAgeMs`;
 * at most `maxEntries` are kept (oldest dropped first). Each read returns a
 * fresh copy, so callers may change what they get.
 */
export function createCachedSessionRepository(
  repo: SessionRepository,
  feed: Pick<ChangeFeed, 'isLive' | 'subscribe'>,
  opts: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {},
): SessionRepository & { forgetAll(): void } {
  const maxEntries = opts.maxEntries ?? 10_000;
  const maxAgeMs = opts.maxAgeMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { json: string; expiresAt: Date; cachedAt: number }>();
  // Bumped by every change heard or made: a read that saw a bump while in flight may hold stale data.
  let epoch = 0;

  function drop(ids?: string) {
    epoch++;
    if (ids === undefined || ids === '' || ids === '*') entries.clear();
    else for (const id of ids.split(',')) entries.delete(id);
  }
  feed.subscribe(drop);

  const afterWrite =
    <A extends [string, ...unknown[]], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        drop(args[0]);
      }
    };

  return {
    ...repo,
    async get(id) {
      const t = now();
      const hit = entries.get(id);
      if (hit) {
        if (feed.isLive() && hit.expiresAt.getTime() > t && t - hit.cachedAt <= maxAgeMs) {
          return { data: JSON.parse(hit.json) as Record<string, unknown>, expiresAt: new Date(hit.expiresAt) };
        }
        entries.delete(id);
      }
      const started = epoch;
      const entry = await repo.get(id);
      if (entry && feed.isLive() && epoch === started) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        // A copy of the Date too: the caller gets `entry` itself and may change it.
        entries.set(id, { json: JSON.stringify(entry.data), expiresAt: new Date(entry.expiresAt), cachedAt: t });
      }
      return entry;
    },
    set: afterWrite(repo.set),
    destroy: afterWrite(repo.destroy),
    /** Drops every cached session (after this instance deleted sessions behind the repository, e.g. an admin cut-off). */
    forgetAll: () => drop(),
  };
}
