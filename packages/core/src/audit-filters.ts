import type { GrantKind, GrantStatus } from './ports.js';

/** Grant-history filters after validation. Every field is an exact match. */
export interface AuditFilter {
  /** An email address or a user id. */
  user?: string | undefined;
  accountId?: string | undefined;
  roleArn?: string | undefined;
  /** A role name (every account) or a role ARN; see roleFilterOf. */
  role?: string | undefined;
  status?: GrantStatus | undefined;
  kind?: GrantKind | undefined;
  /** The access request the grant was issued under (its window). */
  requestId?: string | undefined;
  /** Grants issued under a request now in this status (pending never has grants; approved, ended, revoked do). */
  requestStatus?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which column a `user` filter matches: a user id (uuid) or an email, always
 * the whole value. Substring matching ("bob" finding "bobby@…", the way LIKE
 * '%bob%' does) would put another person's sessions into an audit answer.
 * Emails compare case-insensitively (the value is lower-cased and matched
 * against lower(user_email)): Alice@Example.com is the same person as
 * alice@example.com, and an auditor must not miss half of their grants.
 */
export function userFilterColumn(user: string): { column: 'userId'; value: string } | { column: 'userEmail'; value: string } {
  return UUID.test(user) ? { column: 'userId', value: user.toLowerCase() } : { column: 'userEmail', value: normaliseEmail(user) };
}

/** The stored form of an email: lower-cased (emails are one person whatever their case). */
export function normaliseEmail(email: string): string {
  return email.toLowerCase();
}

/**
 * One CSV cell, safe to open in a spreadsheet: quoted when needed, and a cell
 * starting with = + - @ (or tab / carriage return) gets a leading apostrophe
 * so "=HYPERLINK(…)" in a reason or user agent is shown as text, never run
 * as a formula (CSV injection).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  const first = s.charCodeAt(0);
  // = + - @ tab CR
  if (first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV line (with CRLF, as RFC 4180 says). */
export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/**
 * What a `role` filter matches: a full role ARN exactly, or a role name in
 * every account (the last path segment of the ARN). Names compare
 * case-insensitively, as IAM treats role names ("Admin" and "admin" cannot
 * both exist in one account), so an auditor asking for "admin" is not shown
 * half of its sessions. Never a substring: "Admin" does not find
 * "PlatformAdmin".
 */
export function roleFilterOf(role: string): { column: 'roleArn'; value: string } | { column: 'roleName'; value: string } {
  return role.startsWith('arn:') ? { column: 'roleArn', value: role } : { column: 'roleName', value: role.toLowerCase() };
}
