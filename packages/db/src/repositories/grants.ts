import type { GrantRecord, GrantStore, NewGrant } from '@rolegate/core';
import { AppError } from '@rolegate/core';
import { db } from '../errors.js';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Grant as GrantRow } from '../generated/prisma/client.js';
import type { Tx } from '../client.js';

/** Columns of `grants` as GrantRecord, for the plain-SQL hot path. */
const RETURNING = `RETURNING id, created_at, user_id, user_email, user_subject, idp, groups, mapping_id, account_id,
  role_arn, role_session_name, source_identity, kind, duration_seconds, expires_at, reason, status,
  sts_request_id, access_key_id, client_ip, user_agent, error`;

interface SqlRow {
  id: string;
  created_at: Date;
  user_id: string;
  user_email: string;
  user_subject: string;
  idp: GrantRecord['user']['idp'];
  groups: string[];
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
}

function fromSql(r: SqlRow): GrantRecord {
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
    status: r.status,
    stsRequestId: r.sts_request_id,
    accessKeyId: r.access_key_id,
    clientIp: r.client_ip,
    userAgent: r.user_agent,
    error: r.error,
  };
}

async function one(pool: pg.Pool, sql: string, params: unknown[]): Promise<GrantRecord> {
  const res = await pool.query<SqlRow>(sql, params);
  const row = res.rows[0];
  // Only a pending grant may change: an outcome is recorded exactly once.
  if (!row) throw new AppError('INTERNAL', 'the grant is not pending');
  return fromSql(row);
}

function toRecord(row: GrantRow): GrantRecord {
  return {
    id: row.id,
    createdAt: row.createdAt,
    user: { id: row.userId, email: row.userEmail, subject: row.userSubject, idp: row.idp },
    groups: row.groups ?? [],
    mappingId: row.mappingId,
    accountId: row.accountId,
    roleArn: row.roleArn,
    roleSessionName: row.roleSessionName,
    sourceIdentity: row.sourceIdentity,
    kind: row.kind,
    durationSeconds: row.durationSeconds,
    expiresAt: row.expiresAt,
    reason: row.reason,
    status: row.status,
    stsRequestId: row.stsRequestId,
    accessKeyId: row.accessKeyId,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
    error: row.error,
  };
}

export interface GrantPage {
  items: GrantRecord[];
  nextCursor: string | null;
}

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/.test(parsed[1])) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not valid');
}

/** Grant rows: the write-ahead audit record of every grant attempt. */
export function createGrantRepository(prisma: Tx, pool: pg.Pool) {
  // The write-ahead path runs on every grant: plain parameterised SQL on the
  // durable pool (each statement commits on its own, with fsync).
  const store: GrantStore = {
    insert: (g: NewGrant) =>
      db(() =>
        one(
          pool,
          `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn,
             role_session_name, source_identity, kind, duration_seconds, reason, status, client_ip, user_agent, error)
           VALUES ($18, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ${RETURNING}`,
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
            randomUUID(),
          ],
        ),
      ),
    markIssued: (id, o) =>
      db(() =>
        one(
          pool,
          `UPDATE grants SET status = 'issued', sts_request_id = $2, access_key_id = $3, expires_at = $4, updated_at = now()
           WHERE id = $1 AND status = 'pending' ${RETURNING}`,
          [id, o.stsRequestId, o.accessKeyId, o.expiresAt],
        ),
      ),
    markFailed: (id, o) =>
      db(() =>
        one(
          pool,
          `UPDATE grants SET status = 'failed', error = $2, sts_request_id = $3, access_key_id = $4, updated_at = now()
           WHERE id = $1 AND status = 'pending' ${RETURNING}`,
          [id, o.error, o.stsRequestId ?? null, o.accessKeyId ?? null],
        ),
      ),
  };

  return {
    ...store,
    /** One grant by id, or null. */
    findById: (id: string) =>
      db(async () => {
        const row = await prisma.grant.findUnique({ where: { id } });
        return row ? toRecord(row) : null;
      }),
    /** A user's own grants, newest first, keyset-paginated. @throws AppError VALIDATION_FAILED for a bad cursor */
    listForUser: (userId: string, opts: { limit: number; cursor?: string | undefined }): Promise<GrantPage> =>
      db(async () => {
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        const rows = await prisma.grant.findMany({
          where: {
            userId,
            ...(after
              ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
              : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: opts.limit + 1,
        });
        const page = rows.slice(0, opts.limit);
        const last = page.at(-1);
        return { items: page.map(toRecord), nextCursor: rows.length > opts.limit && last ? encodeCursor(last) : null };
      }),
  };
}

export type GrantRepository = ReturnType<typeof createGrantRepository>;
