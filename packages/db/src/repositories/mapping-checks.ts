import type pg from 'pg';
import type { RoleCheckFinding } from '@rolegate/core';
import { db } from '../errors.js';

export type MappingCheckStatus = 'not_checked' | 'ok' | 'problems' | 'cannot_check';

/** The latest check of one mapping's role, as stored. */
export interface MappingCheckRecord {
  mappingId: string;
  accountId: string;
  roleArn: string;
  /** `not_checked` also when the stored result is about another role ARN or maximum than the mapping has now. */
  status: MappingCheckStatus;
  findings: RoleCheckFinding[];
  /** Why it could not be checked (no control role, IAM error), or null. */
  error: string | null;
  checkedAt: Date | null;
}

/** What a check found, to store as the mapping's latest result. */
export interface MappingCheckResult {
  status: Exclude<MappingCheckStatus, 'not_checked'>;
  /** The role ARN and maximum that were checked (a later edit of the mapping makes the result stale). */
  roleArn: string;
  maxDurationSeconds: number;
  findings: RoleCheckFinding[];
  error: string | null;
}

interface Row {
  mapping_id: string;
  account_id: string;
  role_arn: string;
  status: MappingCheckStatus;
  findings: RoleCheckFinding[];
  error: string | null;
  checked_at: Date | null;
}

/** A stored result is current only while the mapping still names the role and maximum it was about. */
const CURRENT = `c.checked_at IS NOT NULL AND c.role_arn = m.role_arn AND c.max_duration_seconds = m.max_duration_seconds`;

const SELECT = `
  SELECT m.id AS mapping_id, m.account_id, m.role_arn,
         CASE WHEN ${CURRENT} THEN c.status ELSE 'not_checked' END AS status,
         CASE WHEN ${CURRENT} THEN c.findings ELSE '[]'::jsonb END AS findings,
         CASE WHEN ${CURRENT} THEN c.error END AS error,
         CASE WHEN ${CURRENT} THEN c.checked_at END AS checked_at
    FROM role_mappings m LEFT JOIN mapping_checks c ON c.mapping_id = m.id`;

const toRecord = (r: Row): MappingCheckRecord => ({
  mappingId: r.mapping_id,
  accountId: r.account_id,
  roleArn: r.role_arn,
  status: r.status,
  findings: r.findings,
  error: r.error,
  checkedAt: r.checked_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Latest trust and set-up check per mapping (table mapping_checks). Safe
 * across replicas: the periodic job claims due mappings with a lease in one
 * statement, so each is checked by one replica per interval; a result
 * overwrites the previous one (last write wins: both are the same role's
 * state seconds apart).
 */
export function createMappingCheckRepository(pool: pg.Pool) {
  return {
    /** Every mapping with its latest check (or `not_checked`), in the admin list's order. */
    list: () => db(async () => (await pool.query<Row>(`${SELECT} ORDER BY m.account_id, m.role_arn, m."group", m.id`)).rows.map(toRecord)),

    /** One mapping's latest check; null when there is no such mapping. */
    find: (mappingId: string) =>
      db(async () => {
        if (!UUID.test(mappingId)) return null;
        const r = (await pool.query<Row>(`${SELECT} WHERE m.id = $1`, [mappingId])).rows[0];
        return r ? toRecord(r) : null;
      }),

    /**
     * Claims up to `limit` mappings whose check is due (never checked, stale,
     * or older than `intervalSeconds`) and not leased by another replica, and
     * leases them for `leaseSeconds`. One INSERT … ON CONFLICT DO UPDATE …
     * WHERE: a second replica's claim of the same row waits for the first and
     * then finds it leased, so it is skipped.
     */
    claimDue: (opts: { intervalSeconds: number; leaseSeconds: number; limit: number }) =>
      db(async () => {
        const res = await pool.query<{ mapping_id: string }>(
          `INSERT INTO mapping_checks (mapping_id, claimed_until)
           SELECT m.id, now() + make_interval(secs => $2)
             FROM role_mappings m LEFT JOIN mapping_checks c ON c.mapping_id = m.id
            WHERE (c.claimed_until IS NULL OR c.claimed_until < now())
              AND (NOT (${CURRENT}) OR c.checked_at IS NULL OR c.checked_at < now() - make_interval(secs => $1))
            ORDER BY c.checked_at NULLS FIRST, m.id
            LIMIT $3
           ON CONFLICT (mapping_id) DO UPDATE SET claimed_until = excluded.claimed_until
            WHERE (mapping_checks.claimed_until IS NULL OR mapping_checks.claimed_until < now())
              AND (mapping_checks.checked_at IS NULL OR mapping_checks.checked_at < now() - make_interval(secs => $1)
                   OR NOT EXISTS (SELECT 1 FROM role_mappings r WHERE r.id = mapping_checks.mapping_id
                                   AND r.role_arn = mapping_checks.role_arn AND r.max_duration_seconds = mapping_checks.max_duration_seconds))
           RETURNING mapping_id`,
          [opts.intervalSeconds, opts.leaseSeconds, opts.limit],
        );
        return res.rows.map((r) => r.mapping_id);
      }),

    /** Stores a mapping's latest result and ends its lease (nothing when the mapping was deleted meanwhile). */
    save: (mappingId: string, result: MappingCheckResult) =>
      db(async () => {
        await pool.query(
          `INSERT INTO mapping_checks (mapping_id, status, role_arn, max_duration_seconds, findings, error, checked_at, claimed_until)
           SELECT id, $2, $3, $4, $5::jsonb, $6, now(), NULL FROM role_mappings WHERE id = $1
           ON CONFLICT (mapping_id) DO UPDATE SET status = excluded.status, role_arn = excluded.role_arn,
             max_duration_seconds = excluded.max_duration_seconds, findings = excluded.findings, error = excluded.error,
             checked_at = excluded.checked_at, claimed_until = NULL`,
          [mappingId, result.status, result.roleArn, result.maxDurationSeconds, JSON.stringify(result.findings), result.error],
        );
      }),

    /** Mappings per check status and current findings per code (for the metrics gauges). */
    counts: () =>
      db(async () => {
        const [byStatus, byCode] = await Promise.all([
          pool.query<{ status: MappingCheckStatus; n: number }>(`SELECT status, count(*)::int AS n FROM (${SELECT}) s GROUP BY status`),
          pool.query<{ code: string; n: number }>(
            `SELECT f->>'code' AS code, count(*)::int AS n FROM (${SELECT}) s, jsonb_array_elements(s.findings) f GROUP BY 1`,
          ),
        ]);
        const statuses: Record<MappingCheckStatus, number> = { not_checked: 0, ok: 0, problems: 0, cannot_check: 0 };
        for (const r of byStatus.rows) statuses[r.status] = r.n;
        return { statuses, findings: Object.fromEntries(byCode.rows.map((r) => [r.code, r.n])) as Record<string, number> };
      }),
  };
}

export type MappingCheckRepository = ReturnType<typeof createMappingCheckRepository>;
