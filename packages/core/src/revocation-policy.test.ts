import { describe, expect, it } from 'vitest';
import {
  buildRevocationPolicy,
  iamTimeCeil,
  MANAGED_POLICY_MAX_CHARS,
  personCutOffTime,
  policySize,
  versionsToDelete,
  type RevocationEntry,
} from './revocation-policy.js';

const grant = (grantId: string, at = '2026-12-09T10:00:00.000Z'): RevocationEntry => ({ kind: 'grant', grantId, requestedAt: new Date(at) });
const person = (sourceIdentity: string, at: string): RevocationEntry => ({ kind: 'person', sourceIdentity, revokedBefore: new Date(at) });
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('buildRevocationPolicy', () => {
  it('denies the revoked grant ids in one statement on their session tag, sorted and without duplicates', () => {
    const built = buildRevocationPolicy([grant(uuid(2)), grant(uuid(1)), grant(uuid(2))]);
    expect(built.level).toBe('exact');
    expect(built.document.Statement).toEqual([
      {
        Sid: 'RevokedGrants',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': [uuid(1), uuid(2)] } },
      },
    ]);
  });

  it('denies a person by SourceIdentity only for sessions issued before the cut-off, people with one cut-off share a statement', () => {
    const built = buildRevocationPolicy([
      person('bob', '2026-12-09T10:00:01Z'),
      person('alice', '2026-12-09T10:00:01Z'),
      person('carol', '2026-12-09T11:00:00Z'),
    ]);
    expect(built.document.Statement).toEqual([
      expect.objectContaining({
        Condition: { StringEquals: { 'aws:SourceIdentity': ['alice', 'bob'] }, DateLessThan: { 'aws:TokenIssueTime': '2026-12-09T10:00:01Z' } },
      }),
      expect.objectContaining({
        Condition: { StringEquals: { 'aws:SourceIdentity': ['carol'] }, DateLessThan: { 'aws:TokenIssueTime': '2026-12-09T11:00:00Z' } },
      }),
    ]);
    for (const s of built.document.Statement) expect([s.Effect, s.Action, s.Resource]).toEqual(['Deny', '*', '*']);
  });

  it('keeps only the latest cut-off of a person cut off twice', () => {
    const built = buildRevocationPolicy([person('bob', '2026-12-09T10:00:00Z'), person('bob', '2026-12-09T12:00:00Z')]);
    expect(built.document.Statement).toHaveLength(1);
    expect(built.document.Statement[0]!.Condition.DateLessThan).toEqual({ 'aws:TokenIssueTime': '2026-12-09T12:00:00Z' });
  });

  it('writes a statement that matches nothing when no entry is live (IAM refuses an empty policy)', () => {
    const built = buildRevocationPolicy([]);
    expect(built.document.Statement).toEqual([expect.objectContaining({ Sid: 'NoRevocations', Effect: 'Deny' })]);
    expect(built.document.Statement[0]!.Condition.StringEquals).toEqual({ 'aws:PrincipalTag/rolegate:grant-id': 'none' });
  });

  it('rounds people’s cut-offs up to the minute, then the hour, to fit — never down', () => {
    // Two people per minute, at :10 and :40.
    const people = Array.from({ length: 60 }, (_, i) =>
      person(`person-${i}@example.com`, `2026-12-09T10:${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '40' : '10'}Z`),
    );
    const exact = buildRevocationPolicy(people, 100_000);
    expect(exact.level).toBe('exact');
    const minute = buildRevocationPolicy(people, exact.chars - 1);
    expect(minute.level).toBe('minute');
    expect(minute.document.Statement[0]!.Condition.DateLessThan).toEqual({ 'aws:TokenIssueTime': '2026-12-09T10:01:00Z' });
    const hour = buildRevocationPolicy(people, minute.chars - 1);
    expect(hour.level).toBe('hour');
    expect(hour.document.Statement).toHaveLength(1);
    expect(hour.document.Statement[0]!.Condition.DateLessThan).toEqual({ 'aws:TokenIssueTime': '2026-12-09T11:00:00Z' });
  });

  it('falls back to the role-wide TokenIssueTime deny at the newest revocation when even compacted entries exceed 6,144 characters', () => {
    const entries = Array.from({ length: 200 }, (_, i) => grant(uuid(i), `2026-12-09T10:00:${String(i % 60).padStart(2, '0')}.200Z`));
    const built = buildRevocationPolicy(entries);
    expect(built.level).toBe('fallback');
    expect(built.chars).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(built.document.Statement).toEqual([
      {
        Sid: 'RevokeAllSessionsBefore',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-09T10:01:00Z' } },
      },
    ]);
  });

  it('fits as many grant ids as 6,144 characters allow without falling back (about 150)', () => {
    const fits = buildRevocationPolicy(Array.from({ length: 150 }, (_, i) => grant(uuid(i))));
    expect(fits.level).toBe('exact');
    expect(fits.chars).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(policySize(fits.text)).toBe(fits.chars);
  });
});

describe('times', () => {
  it('rounds a cut-off up to the next whole second (STS issue times are whole seconds)', () => {
    expect(personCutOffTime(new Date('2026-12-09T10:00:00.000Z')).toISOString()).toBe('2026-12-09T10:00:01.000Z');
    expect(personCutOffTime(new Date('2026-12-09T10:00:00.999Z')).toISOString()).toBe('2026-12-09T10:00:01.000Z');
    expect(iamTimeCeil(new Date('2026-12-09T10:00:00.001Z'))).toBe('2026-12-09T10:00:01Z');
    expect(iamTimeCeil(new Date('2026-12-09T10:00:00.000Z'))).toBe('2026-12-09T10:00:00Z');
  });
});

describe('versionsToDelete', () => {
  const v = (n: number, isDefault = false) => ({ versionId: `v${n}`, isDefault, createDate: new Date(Date.UTC(2026, 11, 9, 10, n)) });
  it('deletes nothing while a sixth version is not reached', () => {
    expect(versionsToDelete([v(1), v(2), v(3, true)])).toEqual([]);
    expect(versionsToDelete([v(1), v(2), v(3), v(4, true)])).toEqual([]);
  });
  it('deletes the oldest non-default versions so that five remain after the next one', () => {
    expect(versionsToDelete([v(5, true), v(2), v(3), v(4), v(6)])).toEqual(['v2']);
    expect(versionsToDelete([v(1, true), v(2), v(3), v(4), v(5)])).toEqual(['v2']);
  });
});
