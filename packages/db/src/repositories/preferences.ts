import type pg from 'pg';
import { db } from '../errors.js';

/** One person's portal preferences. */
export interface PreferencesRecord {
  /** Mapping ids, in the order the person pinned them. */
  favourites: string[];
  /** AWS region for console links, or null for the broker's default. */
  region: string | null;
}

/**
 * Portal preferences per person (plain SQL), and their recently used roles,
 * derived from their own issued grants (nothing extra is stored for those).
 */
export function createPreferencesRepository(pool: pg.Pool) {
  return {
    /** The person's preferences; empty ones when they never saved any. @throws AppError DATABASE_UNAVAILABLE */
    get: (userId: string) =>
      db(async (): Promise<PreferencesRecord> => {
        const res = await pool.query<{ favourites: string[]; region: string | null }>(
          `SELECT favourites::text[] AS favourites, region FROM user_preferences WHERE user_id = $1`,
          [userId],
        );
        const row = res.rows[0];
        return row ? { favourites: row.favourites, region: row.region } : { favourites: [], region: null };
      }),

    /** Replaces the person's preferences. @throws AppError DATABASE_UNAVAILABLE */
    put: (userId: string, prefs: PreferencesRecord) =>
      db(async (): Promise<PreferencesRecord> => {
        await pool.query(
          `INSERT INTO user_preferences (user_id, favourites, region, updated_at) VALUES ($1, $2::uuid[], $3, now())
           ON CONFLICT (user_id) DO UPDATE SET favourites = EXCLUDED.favourites, region = EXCLUDED.region, updated_at = now()`,
          [userId, prefs.favourites, prefs.region],
        );
        return prefs;
      }),

    /**
     * Mapping ids of the person's most recently issued grants, newest first,
     * each once. Only their own grants (user_id), only issued ones: a denied
     * attempt is not a role they use.
     * @throws AppError DATABASE_UNAVAILABLE
     */
    recentMappingIds: (userId: string, limit = 5) =>
      db(async (): Promise<string[]> => {
        const res = await pool.query<{ mapping_id: string }>(
          `SELECT mapping_id FROM (
             SELECT mapping_id, max(created_at) AS last FROM (
               SELECT mapping_id, created_at FROM grants
               WHERE user_id = $1 AND status = 'issued' AND mapping_id IS NOT NULL
               ORDER BY created_at DESC LIMIT 200
             ) latest GROUP BY mapping_id
           ) used ORDER BY last DESC LIMIT $2`,
          [userId, limit],
        );
        return res.rows.map((r) => r.mapping_id);
      }),
  };
}

export type PreferencesRepository = ReturnType<typeof createPreferencesRepository>;
