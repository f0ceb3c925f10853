import { describe, expect, it } from 'vitest';
import { entitlementsFor, isEntitled, type RoleMapping } from './mapping.js';

function mapping(over: Partial<RoleMapping> = {}): RoleMapping {
  return {
    id: 'm-1',
    group: 'admins',
    accountId: '111111111111',
    accountName: 'prod',
    roleArn: 'arn:aws:iam::111111111111:role/Admin',
    maxDurationSeconds: 3600,
    requireReason: false,
    description: '',
    enabled: true,
    ...over,
  };
}

describe('isEntitled (exact group match)', () => {
  it('entitles a principal whose group is exactly the mapping group', () => {
    expect(isEntitled(['dev', 'admins'], mapping())).toBe(true);
  });

  it.each([['Admins'], ['ADMINS'], [' admins'], ['admins '], ['admins\n'], ['dev,admins'], ['admins,dev'], ['admin'], ['']])(
    'does not entitle group %j for mapping "admins"',
    (group) => {
      expect(isEntitled([group], mapping({ group: 'admins' }))).toBe(false);
    },
  );

  it('does not split a mapping group "dev,admins" into "dev" and "admins"', () => {
    expect(isEntitled(['admins'], mapping({ group: 'dev,admins' }))).toBe(false);
    expect(isEntitled(['dev'], mapping({ group: 'dev,admins' }))).toBe(false);
    expect(isEntitled(['dev', 'admins'], mapping({ group: 'dev,admins' }))).toBe(false);
    expect(isEntitled(['dev,admins'], mapping({ group: 'dev,admins' }))).toBe(true);
  });

  it('does not case-fold or trim the mapping group either', () => {
    expect(isEntitled(['admins'], mapping({ group: 'Admins' }))).toBe(false);
    expect(isEntitled(['admins'], mapping({ group: ' admins ' }))).toBe(false);
  });

  it('never entitles through a disabled mapping', () => {
    expect(isEntitled(['admins'], mapping({ enabled: false }))).toBe(false);
  });

  it('entitles nobody without groups', () => {
    expect(isEntitled([], mapping())).toBe(false);
  });
});

describe('entitlementsFor', () => {
  const all = [
    mapping({ id: 'c', accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/B' }),
    mapping({ id: 'off', accountId: '000000000000', enabled: false }),
    mapping({ id: 'b', accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/Z' }),
    mapping({ id: 'other', accountId: '000000000001', group: 'finance' }),
    mapping({ id: 'd', accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/A' }),
    mapping({ id: 'a2', accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/A' }),
    mapping({ id: 'a1', accountId: '111111111111', roleArn: 'arn:aws:iam::111111111111:role/A', group: 'dev' }),
    mapping({ id: 'case', accountId: '000000000002', group: 'Admins' }),
  ];

  it('returns only enabled, exactly matching mappings sorted by account, role ARN, id', () => {
    expect(entitlementsFor(['admins', 'dev'], all).map((m) => m.id)).toEqual(['a1', 'a2', 'b', 'd', 'c']);
  });

  it('gives the same order whatever the input order, and does not mutate the input', () => {
    const reversed = [...all].reverse();
    const rotated = [...all.slice(3), ...all.slice(0, 3)];
    const before = reversed.map((m) => m.id);
    const expected = ['a1', 'a2', 'b', 'd', 'c'];
    expect(entitlementsFor(['admins', 'dev'], reversed).map((m) => m.id)).toEqual(expected);
    expect(entitlementsFor(['admins', 'dev'], rotated).map((m) => m.id)).toEqual(expected);
    expect(reversed.map((m) => m.id)).toEqual(before);
  });

  it('lists each mapping once even when several of the principal groups are present', () => {
    expect(entitlementsFor(['admins', 'admins', 'dev'], all).map((m) => m.id)).toEqual(['a1', 'a2', 'b', 'd', 'c']);
  });

  it('returns nothing for near-miss groups', () => {
    expect(entitlementsFor(['Admins ', 'dev,admins'], all)).toEqual([]);
  });
});
