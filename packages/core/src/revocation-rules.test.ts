import { describe, expect, it } from 'vitest';
import { policyOf } from './access-policy.js';
import { grantRevocationRefusal, mayRevokeGrant } from './revocation-rules.js';

describe('mayRevokeGrant', () => {
  const grant = { userId: 'u-owner' };
  const approval = policyOf({ access: 'approval', approvers: ['leads'] });
  it('lets the grant’s person, an admin and an approver of its mapping revoke it', () => {
    expect(mayRevokeGrant({ userId: 'u-owner', groups: [], isAdmin: false }, grant, null)).toBe(true);
    expect(mayRevokeGrant({ userId: 'u-admin', groups: [], isAdmin: true }, grant, null)).toBe(true);
    expect(mayRevokeGrant({ userId: 'u-lead', groups: ['leads'], isAdmin: false }, grant, approval)).toBe(true);
  });
  it('refuses anyone else, including near-miss group names (exact match: "Leads" is not "leads")', () => {
    expect(mayRevokeGrant({ userId: 'u-other', groups: ['engineers'], isAdmin: false }, grant, approval)).toBe(false);
    expect(mayRevokeGrant({ userId: 'u-other', groups: ['Leads', 'leads,ops'], isAdmin: false }, grant, approval)).toBe(false);
    expect(mayRevokeGrant({ userId: 'u-other', groups: ['leads'], isAdmin: false }, grant, null)).toBe(false);
  });
});

describe('grantRevocationRefusal', () => {
  const now = new Date('2026-12-09T12:00:00Z');
  const g = (over: Partial<{ status: string; createdAt: Date; expiresAt: Date | null; accountId: string | null }>) => ({
    status: 'issued',
    createdAt: new Date('2026-12-09T11:00:00Z'),
    expiresAt: new Date('2026-12-09T13:00:00Z'),
    accountId: '111111111111',
    ...over,
  });
  it('allows a live issued grant, and pending or abandoned ones that may have reached AWS', () => {
    expect(grantRevocationRefusal(g({}), now)).toBeNull();
    expect(grantRevocationRefusal(g({ status: 'pending', expiresAt: null }), now)).toBeNull();
    expect(grantRevocationRefusal(g({ status: 'abandoned', expiresAt: null }), now)).toBeNull();
  });
  it('refuses denied grants and ended sessions', () => {
    expect(grantRevocationRefusal(g({ status: 'denied' }), now)).toMatch(/denied/);
    expect(grantRevocationRefusal(g({ expiresAt: new Date('2026-12-09T11:59:59Z') }), now)).toMatch(/ended/);
    expect(grantRevocationRefusal(g({ status: 'abandoned', expiresAt: null, createdAt: new Date('2026-12-08T23:00:00Z') }), now)).toMatch(/ended/);
  });
});
