import { finished, type Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BIDI_CONTROL_CODE_POINTS, roleFilterOf, userFilterColumn, visibleCodePoint, type AuditFilter } from '@rolegate/core';
import { db } from '../errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from './admin-changes.js';
import { GRANT_COLUMNS, GRANT_STATUS_SQL, grantFromSql as toRecord, type GrantSqlRow as Row } from './grant-rows.js';

/*
 * Grant history for auditors, on plain pg (not Prisma): the keyset predicate
 * `(created_at, id) < ($1, $2)` is a row comparison Prisma cannot express,
 * and the export reads millions of rows where Prisma's per-row mapping would
 * cost most of the time. Every value is a bind parameter; every filter is
 * `=` (exact), never LIKE. Each filter combination is served by one of the
 * (x, created_at DESC, id DESC) indexes (role filters: by the role-name one).
 */

const COLUMNS = GRANT_COLUMNS;
/** The role name of a grant's ARN, lower-cased: the expression of grants_role_name_created_at_id_arn_idx (migration 20261208100000). */
const ROLE_NAME = `lower(substring(role_arn from '[^/]+$'))`;

/**
 * The WHERE clause for a filter and an optional keyset position; `bind`
 * turns each value into SQL (a `$n` placeholder, or an escaped literal for
 * COPY). Every condition is `=` or a range, never LIKE.
 */
function whereSql(filter: AuditFilter, after: { createdAt: Date; id: string } | null, bind: (value: string | Date) => string): string {
  const conds: string[] = [];
  if (filter.user !== undefined) {
    const u = userFilterColumn(filter.user);
    if (u.column === 'userId') conds.push(`user_id = ${bind(u.value)}::uuid`);
    else conds.push(`lower(user_email) = ${bind(u.value)}`);
  }
  if (filter.accountId !== undefined) conds.push(`account_id = ${bind(filter.accountId)}`);
  // Both role filters use the (role name, created_at, id, role_arn) index: an exact ARN also names its role.
  const byArn = (arn: string) => `${ROLE_NAME} = lower(substring(${bind(arn)}::text from '[^/]+$')) AND role_arn = ${bind(arn)}`;
  if (filter.roleArn !== undefined) conds.push(byArn(filter.roleArn));
  if (filter.role !== undefined) {
    const r = roleFilterOf(filter.role);
    if (r.column === 'roleArn') conds.push(byArn(r.value));
    else conds.push(`${ROLE_NAME} = ${bind(r.value)}`);
  }
  // A revoked grant keeps its stored outcome; `revoked` is a revocation row naming it (unique index on grant_id).
  if (filter.status === 'revoked') conds.push(`EXISTS (SELECT 1 FROM revocations r WHERE r.grant_id = grants.id)`);
  else if (filter.status !== undefined) conds.push(`status = ${bind(filter.status)}::"GrantStatus"`);
  if (filter.kind !== undefined) conds.push(`kind = ${bind(filter.kind)}::"GrantKind"`);
  // Served by grants_request_id_idx; the status one looks the requests up first (few), then their grants.
  if (filter.requestId !== undefined) conds.push(`request_id = ${bind(filter.requestId.toLowerCase())}::uuid`);
  if (filter.requestStatus !== undefined) {
    conds.push(`request_id IN (SELECT ar.id FROM access_requests ar WHERE ar.status = ${bind(filter.requestStatus)})`);
  }
  if (filter.from !== undefined) conds.push(`created_at >= ${bind(filter.from)}::timestamptz`);
  if (filter.to !== undefined) conds.push(`created_at < ${bind(filter.to)}::timestamptz`);
  if (after) conds.push(`(created_at, id) < (${bind(after.createdAt)}::timestamptz, ${bind(after.id)}::uuid)`);
  return conds.length ? `WHERE ${conds.join(' AND ')}` : '';
}

/** The WHERE clause and its parameters for a filter and an optional keyset position. */
export function auditWhere(filter: AuditFilter, after: { createdAt: Date; id: string } | null): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = whereSql(filter, after, (value) => {
    params.push(value);
    return `$${params.length}`;
  });
  return { sql, params };
}

/**
 * The WHERE clause with every value inlined as an escaped string literal,
 * for `COPY (SELECT …) TO STDOUT`, which takes no bind parameters. Each
 * value goes through `escapeLiteral` (pg's: doubles quotes, E'' form for
 * backslashes) and is then cast, so a filter value such as
 * `x' OR '1'='1` stays one string compared with `=` (SQL injection); the
 * values were also validated by the audit query schema before they get here.
 */
export function auditWhereInline(filter: AuditFilter, escapeLiteral: (value: string) => string): string {
  return whereSql(filter, null, (value) => escapeLiteral(value instanceof Date ? value.toISOString() : value));
}

async function page(pool: pg.Pool, filter: AuditFilter, after: { createdAt: Date; id: string } | null, limit: number): Promise<Row[]> {
  const where = auditWhere(filter, after);
  const res = await pool.query<Row>(`SELECT ${COLUMNS} FROM grants ${where.sql} ORDER BY created_at DESC, id DESC LIMIT ${Number(limit)}`, where.params);
  return res.rows;
}

/** A timestamptz as ISO-8601 UTC with milliseconds, exactly as Date.toISOString() writes it. */
const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A text cell for the CSV export, with core's csvCell rules done by Postgres:
 * a value starting with = + - @ tab or CR gets a leading apostrophe, so a
 * reason or user agent like `=HYPERLINK(…)` is shown as text by a
 * spreadsheet, never run as a formula (CSV injection). An empty string
 * becomes NULL so it is written as an empty cell, as csvCell writes it
 * (COPY would write `""`). Quoting is COPY's own (RFC 4180: `"` doubled,
 * cells with , " CR LF quoted).
 */
/** core's neutraliseBidi in SQL: each bidi control becomes its visible ⟨U+XXXX⟩ form (for human-facing CSV cells). */
const NEUTRAL_BIDI = (expr: string) => BIDI_CONTROL_CODE_POINTS.reduce((sql, cp) => `replace(${sql}, chr(${cp}), '${visibleCodePoint(cp)}')`, expr);
const CSV_TEXT = (expr: string) => `CASE WHEN ascii(${expr}) IN (61, 43, 45, 64, 9, 13) THEN '''' || ${expr} ELSE nullif(${expr}, '') END`;

/** CSV columns in export order (the contract's AUDIT_EXPORT_COLUMNS; a test keeps them equal). */
export const EXPORT_CSV_SQL: readonly (readonly [string, string])[] = [
  ['id', 'id'],
  ['createdAt', ISO('created_at')],
  ['userId', 'user_id'],
  ['userEmail', CSV_TEXT('user_email')],
  ['userSubject', CSV_TEXT('user_subject')],
  ['idp', 'idp'],
  ['groups', 'array_to_json(groups)'],
  ['mappingId', 'mapping_id'],
  ['accountId', CSV_TEXT('account_id')],
  ['roleArn', CSV_TEXT('role_arn')],
  ['roleSessionName', CSV_TEXT('role_session_name')],
  ['sourceIdentity', CSV_TEXT('source_identity')],
  ['kind', 'kind'],
  ['durationSeconds', CSV_TEXT('duration_seconds::text')],
  ['expiresAt', ISO('expires_at')],
  ['reason', CSV_TEXT(NEUTRAL_BIDI('reason'))],
  ['status', GRANT_STATUS_SQL],
  ['stsRequestId', CSV_TEXT('sts_request_id')],
  ['accessKeyId', CSV_TEXT('access_key_id')],
  ['clientIp', CSV_TEXT('client_ip')],
  ['userAgent', CSV_TEXT(NEUTRAL_BIDI('user_agent'))],
  ['error', CSV_TEXT('error')],
  ['requestId', 'request_id'],
];

/** A nullable text column as a JSON value: escaped by Postgres's to_json (quotes, backslashes, control characters). */
const JSON_TEXT = (col: string) => `coalesce(to_json(${col})::text, 'null')`;
/** A nullable column whose text needs no JSON escaping (uuid, ISO timestamp) as a JSON string or null. */
const JSON_PLAIN = (expr: string) => `coalesce('"' || ${expr} || '"', 'null')`;

/**
 * One grant in the API's `grant` shape as one line of JSON text, built by
 * Postgres (cheaper than parsing and re-serialising every value in Node).
 * Concatenated rather than json_build_object, which costs a third more per
 * row: only free text goes through to_json (escaping); uuids, enums,
 * integers and ISO timestamps cannot hold a character JSON must escape.
 */
const EXPORT_JSON_SQL = [
  `'{"id":"' || id || '","createdAt":"' || ${ISO('created_at')}`,
  `'","user":{"id":"' || user_id || '","email":' || ${JSON_TEXT('user_email')}`,
  `',"subject":' || ${JSON_TEXT('user_subject')} || ',"idp":"' || idp`,
  `'"},"groups":' || coalesce(array_to_json(groups)::text, '[]') || ',"mappingId":' || ${JSON_PLAIN('mapping_id')}`,
  `',"accountId":' || ${JSON_TEXT('account_id')} || ',"roleArn":' || ${JSON_TEXT('role_arn')}`,
  `',"roleSessionName":' || ${JSON_TEXT('role_session_name')} || ',"sourceIdentity":' || ${JSON_TEXT('source_identity')}`,
  `',"kind":"' || kind || '","durationSeconds":' || coalesce(duration_seconds::text, 'null')`,
  `',"expiresAt":' || ${JSON_PLAIN(ISO('expires_at'))} || ',"reason":' || ${JSON_TEXT('reason')} || ',"status":"' || ${GRANT_STATUS_SQL}`,
  `'","stsRequestId":' || ${JSON_TEXT('sts_request_id')} || ',"accessKeyId":' || ${JSON_TEXT('access_key_id')}`,
  `',"clientIp":' || ${JSON_TEXT('client_ip')} || ',"userAgent":' || ${JSON_TEXT('user_agent')} || ',"error":' || ${JSON_TEXT('error')}`,
  `',"requestId":' || ${JSON_PLAIN('request_id')} || '}'`,
].join('\n  || ');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read side of the grant table for auditors (and for an employee's own history). */
/**
 * `exports.pool` (default: `pool`) serves openExport: give it its own pool
 * (Database.exportPool) so slow downloads cannot starve everything else.
 * `exports.statementTimeoutMs` ends an export's COPY after that long (0 or
 * unset: no limit, for benchmarks).
 */
export function createAuditGrantRepository(pool: pg.Pool, exports: { pool?: pg.Pool; statementTimeoutMs?: number } = {}) {
  const exportPool = exports.pool ?? pool;
  const exportTimeoutMs = Math.max(0, Math.floor(exports.statementTimeoutMs ?? 0));
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
     * Every matching grant, newest first, as one `COPY (SELECT …) TO STDOUT`
     * stream of export bytes: CSV with a header row (Postgres's CSV, LF line
     * ends; the caller turns them into CRLF), or NDJSON lines in the API's
     * grant shape. Resolves only after a connection is checked out and has
     * answered (`SET statement_timeout = 0`: one COPY may outlast the usual
     * limit), so a database that is down is DATABASE_UNAVAILABLE before any
     * byte is sent. The connection is released when the stream ends, fails or
     * is destroyed (client gone); after a failure or destroy it is closed,
     * which stops the COPY on the server instead of leaving it blocked on a
     * full socket. Memory stays flat: the socket pauses when nobody reads.
     */
    openExport: (filter: AuditFilter, format: 'csv' | 'ndjson'): Promise<Readable> =>
      db(async () => {
        const client = await exportPool.connect();
        // While checked out, a connection lost under the COPY is an 'error' on the client as well as
        // on the stream (which the consumer sees); without a listener it would crash the process.
        const lost = () => {};
        client.on('error', lost);
        const release = (err?: Error | true) => {
          client.off('error', lost);
          client.release(err);
        };
        try {
          await client.query(`SET statement_timeout = ${exportTimeoutMs}`);
        } catch (err) {
          release(err instanceof Error ? err : true);
          throw err;
        }
        const from = `FROM grants ${auditWhereInline(filter, (v) => client.escapeLiteral(v))} ORDER BY created_at DESC, id DESC`;
        const sql =
          format === 'csv'
            ? `COPY (SELECT ${EXPORT_CSV_SQL.map(([name, expr]) => `${expr} AS "${name}"`).join(', ')} ${from}) TO STDOUT WITH (FORMAT csv, HEADER true)`
            : // CSV mode with quote and delimiter bytes that JSON text never holds (it escapes every control
              // character): each JSON line comes out verbatim, where COPY's text mode would double backslashes.
              `COPY (SELECT ${EXPORT_JSON_SQL} ${from}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
        const stream = client.query(copyTo(sql));
        // Errors reach the consumer through its pipeline; this only keeps a late one (after the
        // consumer is gone) from being an unhandled 'error' event.
        stream.on('error', () => {});
        finished(stream, (err) => {
          if (err) {
            release(err); // closes the connection: a half-read COPY must not go back to the pool
            return;
          }
          client.query('RESET statement_timeout').then(
            () => release(),
            (e: unknown) => release(e instanceof Error ? e : true),
          );
        });
        return stream;
      }),
  };
}

export type AuditGrantRepository = ReturnType<typeof createAuditGrantRepository>;
