import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { MAX_SESSION_MS } from '@rolegate/core';
import { db } from '../errors.js';
import { inTransaction } from '../transaction.js';

export type RevocationKind = 'grant' | 'person';
export type RevocationState = 'requested' | 'applied' | 'pruned';

/** Who asked for a revocation and why. */
export interface RevocationRequester {
  id: string | null;
  email: string;
  reason: string;
}

/** One row: one entry in one account's revocation policy. */
export interface RevocationRecord {
  id: string;
  batchId: string;
  createdAt: Date;
  kind: RevocationKind;
  accountId: string;
  grantId: string | null;
  userId: string | null;
  userEmail: string | null;
  sourceIdentity: string | null;
  revokedBefore: Date | null;
  requestedById: string | null;
  requestedByEmail: string;
  reason: string;
  expiresAt: Date;
  state: RevocationState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  appliedAt: Date | null;
  policyVersion: string | null;
  fallback: boolean;
  prunedAt: Date | null;
}

/** One revoke action (a grant revoke, a cut-off) as admins see it: its rows across accounts, summed up. */
export interface RevocationBatch {
  id: string;
  kind: RevocationKind;
  grantId: string | null;
  /** Every grant the batch revokes (ending a window revokes all of its grants in one batch). */
  grantIds: string[];
  userId: string | null;
  userEmail: string | null;
  sourceIdentities: string[];
  accountIds: string[];
  createdAt: Date;
  requestedByEmail: string;
  reason: string;
  revokedBefore: Date | null;
  /** requested while any account still waits; pruned when every entry has left the policy; else applied. */
  status: RevocationState;
  appliedAt: Date | null;
  policyVersions: string[];
  fallback: boolean;
  attempts: number;
  error: string | null;
  nextAttemptAt: Date | null;
}

interface Row {
  id: string;
  batch_id: string;
  created_at: Date;
  kind: RevocationKind;
  account_id: string;
  grant_id: string | null;
  user_id: string | null;
  user_email: string | null;
  source_identity: string | null;
  revoked_before: Date | null;
  requested_by_id: string | null;
  requested_by_email: string;
  reason: string;
  expires_at: Date;
  state: RevocationState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  applied_at: Date | null;
  policy_version: string | null;
  fallback: boolean;
  pruned_at: Date | null;
}

const toRecord = (r: Row): RevocationRecord => ({
  id: r.id,
  batchId: r.batch_id,
  createdAt: r.created_at,
  kind: r.kind,
  accountId: r.account_id,
  grantId: r.grant_id,
  userId: r.user_id,
  userEmail: r.user_email,
  sourceIdentity: r.source_identity,
  revokedBefore: r.revoked_before,
  requestedById: r.requested_by_id,
  requestedByEmail: r.requested_by_email,
  reason: r.reason,
  expiresAt: r.expires_at,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  appliedAt: r.applied_at,
  policyVersion: r.policy_version,
  fallback: r.fallback,
  prunedAt: r.pruned_at,
});

/** Something that runs SQL: a pg client or pool, or a Prisma transaction wrapped by `prismaQuerier`. */
export interface Querier {
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/**
 * Writes person revocations for `userIds` cut off at `revokedBefore`, in the
 * caller's transaction: one row per (account, SourceIdentity) the people were
 * granted in the 12 hours before — every session of theirs that can still be
 * alive. Denied grants never reached AWS and are skipped; pending, failed
 * and abandoned ones may have (an outcome lost after STS answered). Grants
 * still pending get a grant entry as well (same batch): their session may be
 * issued after the cut-off's second.
 * @returns the batch id and the accounts reached (empty: nothing to revoke at AWS)
 */
export async function insertPersonRevocations(
  q: Querier,
  input: { userIds: string[]; revokedBefore: Date; requester: RevocationRequester },
): Promise<{ batchId: string; accountIds: string[] }> {
  const batchId = randomUUID();
  if (input.userIds.length === 0) return { batchId, accountIds: [] };
  const res = await q.query<{ account_id: string }>(
    `INSERT INTO revocations (id, batch_id, kind, account_id, user_id, user_email, source_identity, revoked_before,
       requested_by_id, requested_by_email, reason, expires_at)
     SELECT gen_random_uuid(), $1::uuid, 'person', g.account_id, g.user_id, g.user_email, g.source_identity, $3::timestamptz,
       $4::uuid, $5, $6, $3::timestamptz + $7::int * interval '1 millisecond'
     FROM (SELECT DISTINCT ON (user_id, account_id, source_identity) user_id, user_email, account_id, source_identity
           FROM grants
           WHERE user_id = ANY($2::uuid[]) AND created_at > $3::timestamptz - $7::int * interval '1 millisecond'
             AND account_id IS NOT NULL AND source_identity IS NOT NULL AND status <> 'denied'
           ORDER BY user_id, account_id, source_identity, created_at DESC) g
     RETURNING account_id`,
    [batchId, input.userIds, input.revokedBefore, input.requester.id, input.requester.email, input.requester.reason.slice(0, 500), MAX_SESSION_MS],
  );
  // Grants still pending at the cut-off may get their session after its second: deny those by grant id too.
  const pending = await q.query<{ id: string }>(`SELECT id FROM grants WHERE user_id = ANY($1::uuid[]) AND status = 'pending'`, [input.userIds]);
  await insertGrantRevocations(
    q,
    pending.rows.map((r) => r.id),
    input.requester,
    batchId,
  );
  return { batchId, accountIds: [...new Set(res.rows.map((r) => r.account_id))].sort() };
}

/** A grant as revocation needs it. */
export interface RevocableGrant {
  id: string;
  userId: string;
  userEmail: string;
  accountId: string | null;
  mappingId: string | null;
  requestId: string | null;
  status: string;
  createdAt: Date;
  expiresAt: Date | null;
  sourceIdentity: string | null;
}

/** The live grants of one access window, for its early end. */
export async function grantsOfWindow(q: Querier, requestId: string): Promise<string[]> {
  const res = await q.query<{ id: string }>(
    `SELECT id FROM grants WHERE request_id = $1::uuid AND status IN ('issued', 'pending', 'abandoned') AND (expires_at IS NULL OR expires_at > now())`,
    [requestId],
  );
  return res.rows.map((r) => r.id);
}

/**
 * Writes grant revocations in the caller's transaction (one per grant, a
 * grant already revoked keeps its first row). The entry lives until the
 * grant's session ends (12 h after the grant when its end is unknown).
 */
export async function insertGrantRevocations(
  q: Querier,
  grantIds: string[],
  requester: RevocationRequester,
  batchId: string = randomUUID(),
): Promise<{ batchId: string; ids: string[] }> {
  if (grantIds.length === 0) return { batchId, ids: [] };
  const res = await q.query<{ id: string }>(
    `INSERT INTO revocations (id, batch_id, kind, account_id, grant_id, user_id, user_email, requested_by_id, requested_by_email, reason, expires_at)
     SELECT gen_random_uuid(), $1::uuid, 'grant', g.account_id, g.id, g.user_id, g.user_email, $3::uuid, $4, $5,
       COALESCE(g.expires_at, g.created_at + $6::int * interval '1 millisecond')
     FROM grants g WHERE g.id = ANY($2::uuid[]) AND g.account_id IS NOT NULL
     ON CONFLICT (grant_id) WHERE grant_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [batchId, grantIds, requester.id, requester.email, requester.reason.slice(0, 500), MAX_SESSION_MS],
  );
  return { batchId, ids: res.rows.map((r) => r.id) };
}

/** The outcome of one worker pass on one account, written under its lock. */
export type AccountPassOutcome =
  | { kind: 'applied'; policyVersion: string; fallback: boolean; appliedIds: string[]; prunedIds: string[] }
  | { kind: 'failed'; error: string; retryInMs: number; requestedIds: string[] }
  | { kind: 'nothing' };

const BATCH_SQL = `
  SELECT batch_id AS id, max(kind) AS kind, (array_agg(grant_id) FILTER (WHERE grant_id IS NOT NULL))[1] AS grant_id,
    COALESCE(array_agg(DISTINCT grant_id) FILTER (WHERE grant_id IS NOT NULL), '{}') AS grant_ids,
    (array_agg(user_id) FILTER (WHERE user_id IS NOT NULL))[1] AS user_id,
    (array_agg(user_email) FILTER (WHERE user_email IS NOT NULL))[1] AS user_email,
    COALESCE(array_agg(DISTINCT source_identity) FILTER (WHERE source_identity IS NOT NULL), '{}') AS source_identities,
    array_agg(DISTINCT account_id) AS account_ids, min(created_at) AS created_at, min(requested_by_email) AS requested_by_email,
    min(reason) AS reason, max(revoked_before) AS revoked_before,
    CASE WHEN bool_or(state = 'requested') THEN 'requested' WHEN bool_and(state = 'pruned') THEN 'pruned' ELSE 'applied' END AS status,
    max(applied_at) AS applied_at,
    COALESCE(array_agg(DISTINCT policy_version) FILTER (WHERE policy_version IS NOT NULL), '{}') AS policy_versions,
    bool_or(fallback) AS fallback, max(attempts) AS attempts,
    (array_agg(last_error ORDER BY next_attempt_at DESC) FILTER (WHERE state = 'requested' AND last_error IS NOT NULL))[1] AS error,
    min(next_attempt_at) FILTER (WHERE state = 'requested') AS next_attempt_at
  FROM revocations`;

interface BatchRow {
  id: string;
  kind: RevocationKind;
  grant_id: string | null;
  grant_ids: string[];
  user_id: string | null;
  user_email: string | null;
  source_identities: string[];
  account_ids: string[];
  created_at: Date;
  requested_by_email: string;
  reason: string;
  revoked_before: Date | null;
  status: RevocationState;
  applied_at: Date | null;
  policy_versions: string[];
  fallback: boolean;
  attempts: number;
  error: string | null;
  next_attempt_at: Date | null;
}

const toBatch = (r: BatchRow): RevocationBatch => ({
  id: r.id,
  kind: r.kind,
  grantId: r.grant_id,
  grantIds: [...r.grant_ids].sort(),
  userId: r.user_id,
  userEmail: r.user_email,
  sourceIdentities: [...r.source_identities].sort(),
  accountIds: [...r.account_ids].sort(),
  createdAt: r.created_at,
  requestedByEmail: r.requested_by_email,
  reason: r.reason,
  revokedBefore: r.revoked_before,
  status: r.status,
  appliedAt: r.applied_at,
  policyVersions: [...r.policy_versions].sort(),
  fallback: r.fallback,
  attempts: Number(r.attempts),
  error: r.error,
  nextAttemptAt: r.next_attempt_at,
});

/** Whether a grant's sessions may still be used, as the CLI asks before handing cached credentials out. */
export interface GrantValidity {
  userId: string;
  status: string;
  expiresAt: Date | null;
  /** The grant's own revocation, or a cut-off of its person after the grant was made. */
  revoked: null | { kind: RevocationKind; state: RevocationState; at: Date };
}

/** The revocations store: write-ahead rows, the worker's per-account passes, the admin list, the readers' lookups. */
export function createRevocationRepository(pool: pg.Pool) {
  return {
    /** The grant to revoke, or null (also for ids that are not uuids). */
    findGrant: (id: string) =>
      db(async (): Promise<RevocableGrant | null> => {
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
        const res = await pool.query<{
          id: string;
          user_id: string;
          user_email: string;
          account_id: string | null;
          mapping_id: string | null;
          request_id: string | null;
          status: string;
          created_at: Date;
          expires_at: Date | null;
          source_identity: string | null;
        }>(
          `SELECT id, user_id, user_email, account_id, mapping_id, request_id, status, created_at, expires_at, source_identity FROM grants WHERE id = $1::uuid`,
          [id],
        );
        const r = res.rows[0];
        return r
          ? {
              id: r.id,
              userId: r.user_id,
              userEmail: r.user_email,
              accountId: r.account_id,
              mappingId: r.mapping_id,
              requestId: r.request_id,
              status: r.status,
              createdAt: r.created_at,
              expiresAt: r.expires_at,
              sourceIdentity: r.source_identity,
            }
          : null;
      }),

    /** Revokes grants (write-ahead); returns the grant's batch: the new one, or the first revoke's. */
    revokeGrants: (grantIds: string[], requester: RevocationRequester) => db(() => inTransaction(pool, (c) => insertGrantRevocations(c, grantIds, requester))),

    /** The rows of one grant's revocation, or null. */
    forGrant: (grantId: string) =>
      db(async () => {
        const res = await pool.query<Row>(`SELECT * FROM revocations WHERE grant_id = $1::uuid`, [grantId]);
        return res.rows[0] ? toRecord(res.rows[0]) : null;
      }),

    /** One batch as admins see it, or null. */
    batch: (batchId: string) =>
      db(async () => {
        const res = await pool.query<BatchRow>(`${BATCH_SQL} WHERE batch_id = $1::uuid GROUP BY batch_id`, [batchId]);
        return res.rows[0] ? toBatch(res.rows[0]) : null;
      }),

    /** The newest batches (admin list), optionally only those in one status. */
    listBatches: (opts: { limit?: number; status?: RevocationState } = {}) =>
      db(async () => {
        const res = await pool.query<BatchRow>(
          `SELECT * FROM (${BATCH_SQL} GROUP BY batch_id) b WHERE ($2::text IS NULL OR b.status = $2) ORDER BY created_at DESC, id DESC LIMIT $1`,
          [opts.limit ?? 200, opts.status ?? null],
        );
        return res.rows.map(toBatch);
      }),

    /** Counts of rows per state (for the metrics gauge). */
    stateCounts: () =>
      db(async () => {
        const res = await pool.query<{ state: RevocationState; n: string }>(
          `SELECT state, count(*) AS n FROM revocations WHERE state <> 'pruned' GROUP BY state`,
        );
        return Object.fromEntries(res.rows.map((r) => [r.state, Number(r.n)])) as Partial<Record<RevocationState, number>>;
      }),

    /** The revocation states of these grants (readers show them as revoked). */
    statesOfGrants: (grantIds: string[]) =>
      db(async () => {
        if (grantIds.length === 0) return new Map<string, RevocationState>();
        const res = await pool.query<{ grant_id: string; state: RevocationState }>(`SELECT grant_id, state FROM revocations WHERE grant_id = ANY($1::uuid[])`, [
          grantIds,
        ]);
        return new Map(res.rows.map((r) => [r.grant_id, r.state]));
      }),

    /** A grant's validity for the CLI: null when there is no such grant. */
    validity: (grantId: string) =>
      db(async (): Promise<GrantValidity | null> => {
        const res = await pool.query<{
          user_id: string;
          status: string;
          expires_at: Date | null;
          own_state: RevocationState | null;
          own_at: Date | null;
          person_state: RevocationState | null;
          person_at: Date | null;
        }>(
          `SELECT g.user_id, g.status, g.expires_at, r.state AS own_state, r.created_at AS own_at, p.state AS person_state, p.revoked_before AS person_at
           FROM grants g
           LEFT JOIN revocations r ON r.grant_id = g.id
           LEFT JOIN LATERAL (SELECT state, revoked_before FROM revocations
                              WHERE kind = 'person' AND user_id = g.user_id AND account_id = g.account_id AND revoked_before > g.created_at
                              ORDER BY revoked_before DESC LIMIT 1) p ON TRUE
           WHERE g.id = $1::uuid`,
          [grantId],
        );
        const r = res.rows[0];
        if (!r) return null;
        const revoked =
          r.own_state && r.own_at
            ? { kind: 'grant' as const, state: r.own_state, at: r.own_at }
            : r.person_state && r.person_at
              ? { kind: 'person' as const, state: r.person_state, at: r.person_at }
              : null;
        return { userId: r.user_id, status: r.status, expiresAt: r.expires_at, revoked };
      }),

    /** Accounts with entries due (requested and past their next attempt) or entries to prune. */
    dueAccounts: (limit = 50) =>
      db(async () => {
        const res = await pool.query<{ account_id: string }>(
          `SELECT account_id FROM revocations WHERE state = 'requested' AND next_attempt_at <= now()
           UNION
           SELECT account_id FROM revocations WHERE state = 'applied' AND expires_at <= now()
           LIMIT $1`,
          [limit],
        );
        return res.rows.map((r) => r.account_id);
      }),

    /**
     * One worker pass on one account, serialised across replicas: a
     * transaction-scoped advisory lock per account (a replica that cannot take
     * it skips the account: another is writing its policy), then the
     * account's unpruned rows, locked. `work` gets the live entries (not yet
     * expired) and whether anything is due; it talks to IAM while the lock is
     * held, so two replicas never write versions built from different sets.
     * Its outcome is recorded in the same transaction. Returns null when the
     * lock was taken elsewhere.
     */
    withAccount: <T>(
      accountId: string,
      work: (input: { now: Date; live: RevocationRecord[]; due: boolean; expired: RevocationRecord[] }) => Promise<{ outcome: AccountPassOutcome; result: T }>,
    ) =>
      db(() =>
        inTransaction(pool, async (c) => {
          const lock = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended('rolegate:revocations:' || $1, 0)) AS ok`, [
            accountId,
          ]);
          if (!lock.rows[0]?.ok) return null;
          const now = (await c.query<{ now: Date }>(`SELECT now() AS now`)).rows[0]!.now;
          const rows = (
            await c.query<Row>(`SELECT * FROM revocations WHERE account_id = $1 AND state <> 'pruned' ORDER BY created_at, id FOR UPDATE`, [accountId])
          ).rows.map(toRecord);
          const live = rows.filter((r) => r.expiresAt > now);
          const expired = rows.filter((r) => r.expiresAt <= now);
          const due = rows.some((r) => r.state === 'requested' && r.nextAttemptAt <= now) || expired.some((r) => r.state === 'applied');
          const { outcome, result } = await work({ now, live, due, expired });
          if (outcome.kind === 'applied') {
            await c.query(
              `UPDATE revocations SET state = 'applied', applied_at = now(), policy_version = $2, fallback = $3, last_error = NULL, attempts = attempts + 1
               WHERE id = ANY($1::uuid[]) AND state = 'requested'`,
              [outcome.appliedIds, outcome.policyVersion, outcome.fallback],
            );
            await c.query(`UPDATE revocations SET state = 'pruned', pruned_at = now() WHERE id = ANY($1::uuid[]) AND state <> 'pruned'`, [outcome.prunedIds]);
          } else if (outcome.kind === 'failed') {
            await c.query(
              `UPDATE revocations SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3::int * interval '1 millisecond'
               WHERE id = ANY($1::uuid[]) AND state = 'requested'`,
              [outcome.requestedIds, outcome.error.slice(0, 500), Math.round(outcome.retryInMs)],
            );
          }
          return result;
        }),
      ),
  };
}

export type RevocationRepository = ReturnType<typeof createRevocationRepository>;
