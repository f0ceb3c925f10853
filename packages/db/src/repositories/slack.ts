import type pg from 'pg';
import { db } from '../errors.js';

/** A person who signed in, as Slack approvals need them: their last sign-in's groups. */
export interface KnownPerson {
  id: string;
  idp: 'oidc' | 'saml';
  subject: string;
  email: string;
  displayName: string;
  groups: string[];
}

/** Slack's state in Postgres: the message of each request per channel, the interaction signatures seen lately, people by email. */
export function createSlackRepository(pool: pg.Pool) {
  return {
    /** The message posted for `requestId` in `channel` (its `ts`, and when the notification it shows was written), or null. */
    message: (requestId: string, channel: string) =>
      db(async () => {
        const row = (
          await pool.query<{ ts: string; shows_from: Date }>(`SELECT ts, shows_from FROM slack_messages WHERE request_id = $1 AND channel = $2`, [
            requestId,
            channel,
          ])
        ).rows[0];
        return row ? { ts: row.ts, showsFrom: row.shows_from } : null;
      }),

    /**
     * Records the message of `requestId` in `channel` as showing the
     * notification written at `showsFrom`; never moves it back to an older
     * one (a late retry of an earlier change must not undo a later update).
     */
    saveMessage: (requestId: string, channel: string, ts: string, showsFrom: Date) =>
      db(async () => {
        await pool.query(
          `INSERT INTO slack_messages (request_id, channel, ts, shows_from) VALUES ($1, $2, $3, $4)
           ON CONFLICT (request_id, channel) DO UPDATE SET ts = EXCLUDED.ts, shows_from = EXCLUDED.shows_from
           WHERE slack_messages.shows_from <= EXCLUDED.shows_from`,
          [requestId, channel, ts, showsFrom],
        );
      }),

    /**
     * Remembers a request signature for the timestamp window; false when it
     * was seen already (a replay), on this replica or another: the primary
     * key decides, in one statement. Signatures older than the window are
     * forgotten on the way (a replay of those fails the timestamp check).
     */
    rememberSignature: (signature: string, windowSeconds: number) =>
      db(async () => {
        await pool.query(`DELETE FROM slack_seen_requests WHERE seen_at < now() - $1::int * interval '1 second'`, [windowSeconds * 2]);
        const res = await pool.query(`INSERT INTO slack_seen_requests (signature) VALUES ($1) ON CONFLICT DO NOTHING`, [signature]);
        return res.rowCount === 1;
      }),

    /** People who signed in with this email (case-insensitive); more than one means the address is ambiguous. */
    peopleByEmail: (email: string) =>
      db(async () =>
        (
          await pool.query<{ id: string; idp: 'oidc' | 'saml'; subject: string; email: string; display_name: string; groups: string[] }>(
            `SELECT id, idp, subject, email, display_name, groups FROM users WHERE lower(email) = lower($1) LIMIT 2`,
            [email],
          )
        ).rows.map((r): KnownPerson => ({ id: r.id, idp: r.idp, subject: r.subject, email: r.email, displayName: r.display_name, groups: r.groups })),
      ),
  };
}

export type SlackRepository = ReturnType<typeof createSlackRepository>;
