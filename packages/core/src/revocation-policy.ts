import { GRANT_ID_TAG } from './grant-service.js';

/**
 * The per-account revocation policy (default name RolegateRevocations): a
 * customer-managed IAM policy attached to every brokered role, holding only
 * Deny statements on `*`. It is rebuilt from every live entry each time it
 * changes, so a version is the whole truth and a lost write is repaired by
 * the next one.
 */

/** AWS's limit for a managed policy document, counted without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** An STS session lives at most 12 hours: a person's entry can go once that has passed since the cut-off. */
export const MAX_SESSION_MS = 12 * 3600 * 1000;
/** AWS keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** A live entry of the policy. */
export type RevocationEntry =
  | {
      kind: 'grant';
      grantId: string;
      /** When the revocation was asked for (the fallback denies sessions issued before it). */
      requestedAt: Date;
    }
  | {
      kind: 'person';
      /** The SourceIdentity the broker set on the person's sessions (aws:SourceIdentity). */
      sourceIdentity: string;
      /** Sessions issued before this are denied. */
      revokedBefore: Date;
    };

export interface PolicyStatement {
  Sid: string;
  Effect: 'Deny';
  Action: '*';
  Resource: '*';
  Condition: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * How the entries were written: `exact`; `minute` / `hour` (people's cut-off
 * times rounded up so that people share statements — sessions they started
 * after their own cut-off but before the rounded time are denied too, never
 * fewer); `fallback` (the entries did not fit: every session of every role
 * carrying the policy issued before the newest revocation is denied, which is
 * AWS's own "revoke active sessions").
 */
export type PolicyLevel = 'exact' | 'minute' | 'hour' | 'fallback';

export interface BuiltPolicy {
  document: PolicyDocument;
  /** The document as sent to IAM (compact JSON). */
  text: string;
  /** Characters without whitespace, as IAM counts them. */
  chars: number;
  level: PolicyLevel;
}

/** IAM's count of a policy's size: every character except whitespace. */
export function policySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/** `d` rounded UP to the next whole second (or unit), as IAM date conditions read it: `YYYY-MM-DDTHH:MM:SSZ`. */
export function iamTimeCeil(d: Date, unitMs = 1000): string {
  const t = Math.ceil(d.getTime() / unitMs) * unitMs;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The cut-off time of a person revocation made at `now`: rounded up to the
 * next whole second, because STS reports a session's issue time to the
 * second — a session issued earlier in the same second as the cut-off must be
 * denied too (its truncated aws:TokenIssueTime would otherwise not be less).
 */
export function personCutOffTime(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000);
}

const deny = (sid: string, condition: PolicyStatement['Condition']): PolicyStatement => ({
  Sid: sid,
  Effect: 'Deny',
  Action: '*',
  Resource: '*',
  Condition: condition,
});

/**
 * A statement that matches no session, for a policy with no live entry (IAM
 * refuses a document without statements). Grant ids are UUIDs, never "none".
 */
const NOTHING = deny('NoRevocations', { StringEquals: { [`aws:PrincipalTag/${GRANT_ID_TAG}`]: 'none' } });

function documentAt(entries: readonly RevocationEntry[], unitMs: number): PolicyDocument {
  const grantIds = [...new Set(entries.flatMap((e) => (e.kind === 'grant' ? [e.grantId] : [])))].sort();
  // One time per person: the latest cut-off denies everything an earlier one does.
  const latest = new Map<string, number>();
  for (const e of entries) {
    if (e.kind !== 'person') continue;
    latest.set(e.sourceIdentity, Math.max(latest.get(e.sourceIdentity) ?? 0, e.revokedBefore.getTime()));
  }
  const byTime = new Map<string, string[]>();
  for (const [name, t] of latest) {
    const key = iamTimeCeil(new Date(t), unitMs);
    byTime.set(key, [...(byTime.get(key) ?? []), name]);
  }
  const statements: PolicyStatement[] = [];
  if (grantIds.length > 0) statements.push(deny('RevokedGrants', { StringEquals: { [`aws:PrincipalTag/${GRANT_ID_TAG}`]: grantIds } }));
  [...byTime.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .forEach(([time, names], i) =>
      statements.push(
        deny(`RevokedPeople${i}`, {
          StringEquals: { 'aws:SourceIdentity': names.sort() },
          DateLessThan: { 'aws:TokenIssueTime': time },
        }),
      ),
    );
  return { Version: '2012-10-17', Statement: statements.length > 0 ? statements : [NOTHING] };
}

/** The newest moment any entry cuts at: the fallback denies every session issued before it. */
export function fallbackCutOff(entries: readonly RevocationEntry[]): Date {
  let t = 0;
  for (const e of entries) t = Math.max(t, e.kind === 'grant' ? e.requestedAt.getTime() : e.revokedBefore.getTime());
  return new Date(t);
}

/**
 * Builds the account's revocation policy from its live entries, compacting
 * until it fits IAM's size limit: grant ids share one statement, a person
 * appears once (their latest cut-off), people with the same cut-off share a
 * statement; then cut-off times are rounded up to the minute, then the hour;
 * when even that is too large the role-wide fallback is written (level
 * `fallback`), because a revocation that does not fit must still revoke —
 * over-revoking is recoverable (people ask for a new session), a live stolen
 * session is not. Every rounding only widens what is denied.
 */
export function buildRevocationPolicy(entries: readonly RevocationEntry[], maxChars = MANAGED_POLICY_MAX_CHARS): BuiltPolicy {
  const levels: [PolicyLevel, number][] = [
    ['exact', 1000],
    ['minute', 60_000],
    ['hour', 3_600_000],
  ];
  for (const [level, unitMs] of levels) {
    const document = documentAt(entries, unitMs);
    const text = JSON.stringify(document);
    const chars = policySize(text);
    if (chars <= maxChars) return { document, text, chars, level };
  }
  const document: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [deny('RevokeAllSessionsBefore', { DateLessThan: { 'aws:TokenIssueTime': iamTimeCeil(fallbackCutOff(entries)) } })],
  };
  const text = JSON.stringify(document);
  return { document, text, chars: policySize(text), level: 'fallback' };
}

/** A policy version as IAM lists it. */
export interface PolicyVersionInfo {
  versionId: string;
  isDefault: boolean;
  createDate: Date;
}

/**
 * The versions to delete before creating one more, so that at most
 * MAX_POLICY_VERSIONS remain: the oldest that are not the default (IAM
 * refuses to delete the default version).
 */
export function versionsToDelete(versions: readonly PolicyVersionInfo[], max = MAX_POLICY_VERSIONS): string[] {
  const excess = versions.length + 1 - max;
  if (excess <= 0) return [];
  return versions
    .filter((v) => !v.isDefault)
    .sort((a, b) => a.createDate.getTime() - b.createDate.getTime() || versionNumber(a.versionId) - versionNumber(b.versionId))
    .slice(0, excess)
    .map((v) => v.versionId);
}

const versionNumber = (id: string) => Number(id.replace(/^v/, '')) || 0;
