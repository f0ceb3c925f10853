import type pg from 'pg';
import { csvLine, userFilterColumn, type AuditFilter, type GrantRecord } from '@rolegate/core';
import { db } from '../errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './admin-changes.js';

/*
 * Grant history for auditors, on plain pg (not Prisma): the keyset predicate
 * `(created_at, id) < ($1, $2)` is a row comparison Prisma cannot express,
 * and the export reads millions of rows where Prisma's per-row mapping would
 * cost most of the time. Every value is a bind parameter; every filter is
 * `=` (exact), never LIKE. Each filter combination is served by one of the
 * (x, created_at DESC, id DESC) indexes.
 */

const COLUMNS = `id, created_at, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn,
  role_session_name, source_identity, kind, duration_seconds, expires_at, reason, status, sts_request_id,
  access_key_id, client_ip, user_agent, error`;

interface Row {
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

function toRecord(r: Row): GrantRecord {
  return {
    id: r.id,
    createdAt: r.created_at,
    user: { id: r.user_id, email: r.user_email, subject: r.user_subject, idp: r.idp },
    groups: r.groups,
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

/** The WHERE clause and its parameters for a filter and an optional keyset position. */
export function auditWhere(filter: AuditFilter, after: { createdAt: Date; id: string } | null): { sql: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (cond: (p: string) => string, value: unknown) => {
    params.push(value);
    conds.push(cond(`$${params.length}`));
  };
  if (filter.user !== undefined) {
    const u = userFilterColumn(filter.user);
    if (u.column === 'userId') add((p) => `user_id = ${p}::uuid`, u.value);
    else add((p) => `user_email = ${p}`, u.value);
  }
  if (filter.accountId !== undefined) add((p) => `account_id = ${p}`, filter.accountId);
  if (filter.roleArn !== undefined) add((p) => `role_arn = ${p}`, filter.roleArn);
  if (filter.status !== undefined) add((p) => `status = ${p}::"GrantStatus"`, filter.status);
  if (filter.kind !== undefined) add((p) => `kind = ${p}::"GrantKind"`, filter.kind);
  if (filter.from !== undefined) add((p) => `created_at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `created_at < ${p}`, filter.to);
  if (after) {
    params.push(after.createdAt, after.id);
    conds.push(`(created_at, id) < ($${params.length - 1}, $${params.length}::uuid)`);
  }
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

async function page(pool: pg.Pool, filter: AuditFilter, after: { createdAt: Date; id: string } | null, limit: number): Promise<Row[]> {
  const where = auditWhere(filter, after);
  const res = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM grants ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${Number(limit)}`,
    where.params,
  );
  return res.rows;
}

/** Every value as Postgres's text (no Date/array parsing in JS). */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };
/** A timestamptz as ISO-8601 UTC with milliseconds, exactly as Date.toISOString() writes it. */
const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** CSV columns in export order (the contract's AUDIT_EXPORT_COLUMNS; a test keeps them equal). */
export const EXPORT_CSV_SQL: readonly (readonly [string, string])[] = [
  ['id', 'id'],
  ['createdAt', ISO('created_at')],
  ['userId', 'user_id'],
  ['userEmail', 'user_email'],
  ['userSubject', 'user_subject'],
  ['idp', 'idp'],
  ['groups', 'array_to_json(groups)'],
  ['mappingId', 'mapping_id'],
  ['accountId', 'account_id'],
  ['roleArn', 'role_arn'],
  ['roleSessionName', 'role_session_name'],
  ['sourceIdentity', 'source_identity'],
  ['kind', 'kind'],
  ['durationSeconds', 'duration_seconds'],
  ['expiresAt', ISO('expires_at')],
  ['reason', 'reason'],
  ['status', 'status'],
  ['stsRequestId', 'sts_request_id'],
  ['accessKeyId', 'access_key_id'],
  ['clientIp', 'client_ip'],
  ['userAgent', 'user_agent'],
  ['error', 'error'],
];

/**
 * One grant in the API's `grant` shape as JSON text, built by Postgres
 * (cheaper than parsing and re-serialising every value in Node).
 */
const EXPORT_JSON_SQL = `json_build_object(
  'id', id, 'createdAt', ${ISO('created_at')},
  'user', json_build_object('id', user_id, 'email', user_email, 'subject', user_subject, 'idp', idp),
  'groups', coalesce(array_to_json(groups), '[]'::json), 'mappingId', mapping_id, 'accountId', account_id, 'roleArn', role_arn,
  'roleSessionName', role_session_name, 'sourceIdentity', source_identity, 'kind', kind,
  'durationSeconds', duration_seconds, 'expiresAt', ${ISO('expires_at')}, 'reason', reason, 'status', status,
  'stsRequestId', sts_request_id, 'accessKeyId', access_key_id, 'clientIp', client_ip, 'userAgent', user_agent, 'error', error)`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read side of the grant table for auditors (and for an employee's own history). */
export function createAuditGrantRepository(pool: pg.Pool) {
  return {
    /**
     * One page, newest first. `nextCursor` continues after the last row, so
     * grants inserted meanwhile never shift or repeat rows.
     * @throws AppError VALIDATION_FAILED for a cursor we did not make
     */
    list: (filter: AuditFilter, opts: { limit: number; cursor?: string | undefined }) =>
      db(async () => {
        const after = opts.cursor ? decodeKeysetCursor(opts.cursor) : null;
        const rows = await page(pool, filter, after, opts.limit + 1);
        const items = rows.slice(0, opts.limit);
        const last = items.at(-1);
        return {
          items: items.map(toRecord),
          nextCursor: rows.length > opts.limit && last ? encodeKeysetCursor({ createdAt: last.created_at, id: last.id }) : null,
        };
      }),

    /** One grant by id, or null (also for ids that are not uuids). */
    findById: (id: string) =>
      db(async () => {
        if (!UUID.test(id)) return null;
        const res = await pool.query<Row>(`SELECT ${COLUMNS} FROM grants WHERE id = $1::uuid`, [id]);
        return res.rows[0] ? toRecord(res.rows[0]) : null;
      }),

    /**
     * Every matching grant, newest first, as export text: one chunk per
     * keyset batch (CSV lines through core's injection-safe csvLine, or NDJSON
     * lines in the API's grant shape, built by Postgres). One short query per batch (one batch
     * prefetched), so memory stays flat and no transaction or connection is held
     * while the client reads; the consumer pulls the next chunk only when it
     * is ready for it (backpressure). Values arrive as raw text: parsing
     * timestamps into Dates and back would cost most of the time.
     */
    async *exportChunks(filter: AuditFilter, format: 'csv' | 'ndjson', batchSize = 5000): AsyncGenerator<string> {
      const select = format === 'csv' ? EXPORT_CSV_SQL.map(([, expr]) => expr).join(', ') : EXPORT_JSON_SQL;
      const fetch = (after: { createdAt: Date; id: string } | null) => {
        const where = auditWhere(filter, after);
        const q: Promise<(string | null)[][]> = db(async () => {
          const res = await pool.query({
            text: `SELECT ${ISO('created_at')}, id, ${select} FROM grants ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${Number(batchSize)}`,
            values: where.params,
            rowMode: 'array',
            types: RAW_TEXT,
          });
          return res.rows as (string | null)[][];
        });
        q.catch(() => {}); // awaited below; this only keeps an abandoned prefetch from being an unhandled rejection
        return q;
      };
      let pending = fetch(null);
      for (;;) {
        const rows = await pending;
        if (rows.length === 0) return;
        const more = rows.length === batchSize;
        if (more) {
          // Prefetch one batch: Postgres reads the next rows while this one is formatted and sent.
          const last = rows[rows.length - 1]!;
          pending = fetch({ createdAt: new Date(last[0]!), id: last[1]! });
        }
        yield format === 'csv' ? rows.map((r) => csvLine(r.slice(2))).join('') : rows.map((r) => `${r[2]}\n`).join('');
        if (!more) return;
      }
    },
  };
}

export type AuditGrantRepository = ReturnType<typeof createAuditGrantRepository>;
