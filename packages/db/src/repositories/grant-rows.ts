import type { GrantRecord } from '@rolegate/core';

/** The columns of `grants` that make a GrantRecord, for plain-SQL reads. */
export const GRANT_COLUMNS = `id, created_at, user_id, user_email, user_subject, idp, groups, mapping_id, account_id,
  role_arn, role_session_name, source_identity, kind, duration_seconds, expires_at, reason, status,
  sts_request_id, access_key_id, client_ip, user_agent, error, request_id,
  (SELECT r.state FROM revocations r WHERE r.grant_id = grants.id) AS revocation_state`;

/**
 * The status a reader sees, in SQL (exports): `revoked` once a revocation row
 * names the grant — the stored outcome is write-once and stays as it was.
 * One lookup on the unique (grant_id) index per row.
 */
export const GRANT_STATUS_SQL = `CASE WHEN EXISTS (SELECT 1 FROM revocations r WHERE r.grant_id = grants.id) THEN 'revoked' ELSE status::text END`;

/** A `grants` row as pg returns it. */
export interface GrantSqlRow {
  id: string;
  created_at: Date;
  user_id: string;
  user_email: string;
  user_subject: string;
  idp: GrantRecord['user']['idp'];
  groups: string[] | null;
  mapping_id: string | null;
  account_id: string | null;
  role_arn: string | null;
  role_session_name: string | null;
  source_identity: string | null;
  kind: GrantRecord['kind'];
  duration_seconds: number | null;
  expires_at: Date | null;
  reason: string | null;
  status: GrantRecord['status'];
  sts_request_id: string | null;
  access_key_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  error: string | null;
  request_id?: string | null;
  /** The grant's revocation state (GRANT_COLUMNS' lookup), when one names it. */
  revocation_state?: string | null;
}

/** A pg row of `grants` as the domain's GrantRecord. */
export function grantFromSql(r: GrantSqlRow): GrantRecord {
  return {
    id: r.id,
    createdAt: r.created_at,
    user: { id: r.user_id, email: r.user_email, subject: r.user_subject, idp: r.idp },
    groups: r.groups ?? [],
    mappingId: r.mapping_id,
    accountId: r.account_id,
    roleArn: r.role_arn,
    roleSessionName: r.role_session_name,
    sourceIdentity: r.source_identity,
    kind: r.kind,
    durationSeconds: r.duration_seconds,
    expiresAt: r.expires_at,
    reason: r.reason,
    // Revoked once a revocation row names it (the outcome column itself is write-once).
    status: r.revocation_state ? 'revoked' : r.status,
    stsRequestId: r.sts_request_id,
    accessKeyId: r.access_key_id,
    clientIp: r.client_ip,
    userAgent: r.user_agent,
    error: r.error,
    requestId: r.request_id ?? null,
  };
}
