import { describe, expect, it } from 'vitest';
import type { RoleMapping } from '@rolegate/core';
import type { CliTokenRecord, CliTokenRepository } from '@rolegate/db';
import { RefreshRefusedError, scopesFor } from '../../adapters/oidc.js';
import { groupsRecheckDue } from './fns.js';
import { createCliTokenService, type GroupsRecheck } from './tokens.js';
import { openRefreshToken, refreshTokenKey, sealRefreshToken } from '../oidc/refresh-box.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const key = refreshTokenKey('s'.repeat(32));
const mapping: RoleMapping = {
  id: 'm1',
  group: 'engineers',
  accountId: '111111111111',
  accountName: 'dev',
  roleArn: 'arn:aws:iam::111111111111:role/Developer',
  maxDurationSeconds: 3600,
  requireReason: false,
  description: '',
  enabled: true,
};

/** One stored token (found by any hash) and what the service wrote to it. */
function setup(refresh: GroupsRecheck['refresh'], checkedAgoMs = 2 * 3600_000, claimLost = false) {
  const rec: CliTokenRecord = {
    id: 't1',
    userId: 'u1',
    label: 'laptop',
    idp: 'oidc',
    subject: 'alice',
    email: 'alice@example.com',
    displayName: 'Alice',
    groups: ['engineers'],
    createdAt: new Date(NOW.getTime() - 3 * 3600_000),
    expiresAt: new Date(NOW.getTime() + 3600_000),
    revokedAt: null,
    lastUsedAt: NOW,
    refreshBox: sealRefreshToken(key, 'rt-1'),
    groupsCheckedAt: new Date(NOW.getTime() - checkedAgoMs),
  };
  const writes: string[] = [];
  const tokens = {
    findByHash: async () => rec,
    touch: async () => {},
    recordGroupsCheck: async (_id: string, c: { groups: string[]; refreshBox: string }) => {
      writes.push(`checked:${c.groups.join(',')}:${openRefreshToken(key, c.refreshBox)}`);
      return true;
    },
    revokeAfterCheck: async () => void writes.push('revoked'),
    claimGroupsCheck: async (_id: string, previous: Date | null) => {
      // A concurrent request claimed it first when the stored time moved on.
      const won = previous?.getTime() === rec.groupsCheckedAt?.getTime() && !claimLost;
      if (won) writes.push('claimed');
      return won;
    },
    releaseGroupsCheck: async () => void writes.push('released'),
  } as unknown as CliTokenRepository;
  const service = createCliTokenService({
    tokens,
    mappings: { listEnabled: async () => [mapping] },
    clock: { now: () => NOW },
    ttlSeconds: 8 * 3600,
    hashKey: Buffer.alloc(32),
    groupsRecheck: { intervalSeconds: 3600, key, refresh },
  });
  return { service, writes };
}

const TOKEN = `rgcli_${'A'.repeat(43)}`;
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string; details?: { reason?: string } }) => `${e.code}${e.details?.reason ? `:${e.details.reason}` : ''}`,
  );

describe('CLI token group re-check', () => {
  it('is due only for a token holding a refresh token whose groups are at least the interval old', () => {
    const base = { refreshBox: 'v1.x', createdAt: new Date(NOW.getTime() - 7200_000) };
    expect(groupsRecheckDue({ ...base, groupsCheckedAt: new Date(NOW.getTime() - 3600_000) }, NOW, 3600)).toBe(true);
    expect(groupsRecheckDue({ ...base, groupsCheckedAt: new Date(NOW.getTime() - 3599_000) }, NOW, 3600)).toBe(false);
    expect(groupsRecheckDue({ ...base, groupsCheckedAt: null }, NOW, 3600)).toBe(true);
    expect(groupsRecheckDue({ ...base, refreshBox: null, groupsCheckedAt: null }, NOW, 3600)).toBe(false);
  });

  it('stores the groups the IdP gives now and the rotated refresh token', async () => {
    const { service, writes } = setup(async () => ({ groups: ['engineers', 'oncall'], refreshToken: 'rt-2' }));
    const { principal } = await service.authenticate(TOKEN);
    expect(principal.groups).toEqual(['engineers', 'oncall']);
    expect(writes).toEqual(['claimed', 'checked:engineers,oncall:rt-2']);
  });

  it('does not ask the IdP while the groups are younger than the interval', async () => {
    let asked = 0;
    const { service } = setup(async () => (asked++, { groups: [], refreshToken: 'x' }), 60_000);
    expect(await outcome(service.authenticate(TOKEN))).toBe('ok');
    expect(asked).toBe(0);
  });

  it('revokes the token when the IdP refuses the refresh', async () => {
    const { service, writes } = setup(async () => {
      throw new RefreshRefusedError('invalid_grant');
    });
    expect(await outcome(service.authenticate(TOKEN))).toBe('UNAUTHENTICATED:revoked');
    expect(writes).toEqual(['claimed', 'revoked']);
  });

  // An IdP outage must neither let stale groups through nor destroy everyone's tokens.
  it('refuses the request but keeps the token when the IdP cannot be reached', async () => {
    const { service, writes } = setup(async () => {
      throw new TypeError('fetch failed');
    });
    expect(await outcome(service.authenticate(TOKEN))).toBe('IDP_UNAVAILABLE');
    expect(writes).toEqual(['claimed', 'released']);
  });

  // One refresh token, used once: at IdPs that rotate refresh tokens a second use
  // by a concurrent request would look like token theft and end the person's grant.
  it('leaves the refresh to the request that claimed it first', async () => {
    let asked = 0;
    const { service, writes } = setup(async () => (asked++, { groups: ['engineers'], refreshToken: 'rt-2' }), 2 * 3600_000, true);
    expect(await outcome(service.authenticate(TOKEN))).toBe('ok');
    expect(asked).toBe(0);
    expect(writes).toEqual([]);
  });

  it('asks for offline_access only when refresh tokens are kept', () => {
    expect(scopesFor({ scopes: 'openid email groups', refreshGroups: true })).toBe('openid email groups offline_access');
    expect(scopesFor({ scopes: 'openid email groups', refreshGroups: false })).toBe('openid email groups');
    expect(scopesFor({ scopes: 'openid offline_access', refreshGroups: true })).toBe('openid offline_access');
  });
});
