import { describe, expect, it } from 'vitest';
import { explainRoleArn, IAM_PRINCIPAL_ARN_PATTERN, parseAssumedRoleArn, parseRoleArn, ROLE_ARN_OUTLINE } from './index.js';

describe('parseRoleArn', () => {
  it('parses a commercial role ARN', () => {
    expect(parseRoleArn('arn:aws:iam::123456789012:role/Admin')).toEqual({ partition: 'aws', accountId: '123456789012', path: '/', roleName: 'Admin' });
  });

  it('parses GovCloud and China role ARNs with paths', () => {
    expect(parseRoleArn('arn:aws-us-gov:iam::210987654321:role/team/ops/ReadOnly')).toEqual({
      partition: 'aws-us-gov',
      accountId: '210987654321',
      path: '/team/ops/',
      roleName: 'ReadOnly',
    });
    expect(parseRoleArn('arn:aws-cn:iam::000000000001:role/service-role/Deploy')).toEqual({
      partition: 'aws-cn',
      accountId: '000000000001',
      path: '/service-role/',
      roleName: 'Deploy',
    });
  });

  it('accepts every character IAM allows in a role name, up to 64 of them', () => {
    expect(parseRoleArn('arn:aws:iam::123456789012:role/a_b+c=d,e.f@g-h')?.roleName).toBe('a_b+c=d,e.f@g-h');
    const name64 = 'r'.repeat(64);
    expect(parseRoleArn(`arn:aws:iam::123456789012:role/${name64}`)?.roleName).toBe(name64);
  });

  it('accepts a path of 512 characters and refuses one of 513', () => {
    const path = (n: number) => `/${'p'.repeat(n - 2)}/`;
    expect(parseRoleArn(`arn:aws:iam::123456789012:role${path(512)}Admin`)?.path).toHaveLength(512);
    expect(parseRoleArn(`arn:aws:iam::123456789012:role${path(513)}Admin`)).toBeNull();
  });

  it.each([
    ['11-digit account', 'arn:aws:iam::12345678901:role/Admin'],
    ['13-digit account', 'arn:aws:iam::1234567890123:role/Admin'],
    ['non-digit account', 'arn:aws:iam::12345678901a:role/Admin'],
    ['non-ASCII digits in the account', 'arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/Admin'],
    ['user instead of role', 'arn:aws:iam::123456789012:user/Admin'],
    ['assumed-role ARN', 'arn:aws:sts::123456789012:assumed-role/Admin/alice'],
    ['unknown partition', 'arn:aws-iso:iam::123456789012:role/Admin'],
    ['upper-case partition', 'arn:AWS:iam::123456789012:role/Admin'],
    ['misspelt partition', 'arn:aws-gov:iam::123456789012:role/Admin'],
    ['region in an IAM ARN', 'arn:aws:iam:us-east-1:123456789012:role/Admin'],
    ['empty name', 'arn:aws:iam::123456789012:role/'],
    ['empty name after path', 'arn:aws:iam::123456789012:role/team/'],
    ['name of 65 characters', `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`],
    ['space in name', 'arn:aws:iam::123456789012:role/Ad min'],
    ['wildcard in name', 'arn:aws:iam::123456789012:role/Admin*'],
    ['colon in name', 'arn:aws:iam::123456789012:role/Ad:min'],
    ['newline after name', 'arn:aws:iam::123456789012:role/Admin\n'],
    ['leading whitespace', ' arn:aws:iam::123456789012:role/Admin'],
    ['empty string', ''],
  ])('rejects %s', (_label, arn) => {
    expect(parseRoleArn(arn)).toBeNull();
    expect(explainRoleArn(arn).ok).toBe(false);
  });
});

describe('explainRoleArn', () => {
  it.each([
    [`arn:aws:iam::123456789012:role/${'x'.repeat(2040)}`, { code: 'too-long' }],
    ['Developer', { code: 'not-an-arn' }],
    ['arn:aws-iso:iam::123456789012:role/Admin', { code: 'partition', partition: 'aws-iso' }],
    ['arn:aws:sts::123456789012:role/Admin', { code: 'service', service: 'sts' }],
    ['arn:aws:iam:eu-west-1:123456789012:role/Admin', { code: 'region', region: 'eu-west-1' }],
    ['arn:aws:iam::12345:role/Admin', { code: 'account', account: '12345' }],
    ['arn:aws:iam::123456789012:user/Admin', { code: 'not-a-role' }],
    ['arn:aws:iam::123456789012:role/team/', { code: 'role-name', roleName: '' }],
    ['arn:aws:iam::123456789012:role/Ad min', { code: 'role-name', roleName: 'Ad min' }],
    [`arn:aws:iam::123456789012:role/${'p'.repeat(520)}/Admin`, { code: 'path-too-long' }],
    ['arn:aws:iam::123456789012:role/a//b/Admin', { code: 'path-empty-segment' }],
    ['arn:aws:iam::123456789012:role/a b/Admin', { code: 'path-chars' }],
  ])('names the first problem of %s', (arn, problem) => {
    expect(explainRoleArn(arn)).toEqual({ ok: false, problem });
  });

  it('returns the parts of a valid ARN, as parseRoleArn does', () => {
    const arn = 'arn:aws-us-gov:iam::210987654321:role/team/ops/ReadOnly';
    expect(explainRoleArn(arn)).toEqual({ ok: true, parts: parseRoleArn(arn) });
  });

  // The explainer and the parser are two readings of one grammar: a form that
  // says "fine" for an ARN the server refuses (or the reverse) is the drift
  // this package exists to prevent.
  it('accepts exactly what parseRoleArn accepts, apart from empty path segments', () => {
    const pieces = ['arn', 'aws', 'aws-cn', 'iam', '', '123456789012', 'role/', 'role/a/', 'a//', 'Admin', ':', '/', ' ', 'é', '*'];
    let checked = 0;
    for (const a of pieces)
      for (const b of pieces)
        for (const c of pieces) {
          const arn = `arn:aws:iam::123456789012:${a}${b}${c}`;
          const parsed = parseRoleArn(arn) !== null;
          const explained = explainRoleArn(arn).ok;
          expect(explained, arn).toBe(
            parsed &&
              !arn
                .slice(arn.indexOf(':role/') + 5)
                .replace(/[^/]*$/, '')
                .includes('//'),
          );
          checked += 1;
        }
    expect(checked).toBe(pieces.length ** 3);
  });
});

describe('ROLE_ARN_OUTLINE', () => {
  it('tells an ARN from a role name without judging the path', () => {
    expect(ROLE_ARN_OUTLINE.test('arn:aws:iam::123456789012:role/a//b')).toBe(true);
    expect(ROLE_ARN_OUTLINE.test('Developer')).toBe(false);
    expect(ROLE_ARN_OUTLINE.test('arn:aws:iam::123456789012:role/Ad min')).toBe(false);
  });
});

describe('IAM_PRINCIPAL_ARN_PATTERN', () => {
  it('admits IAM users and roles, not assumed-role sessions', () => {
    expect(IAM_PRINCIPAL_ARN_PATTERN.test('arn:aws:iam::123456789012:user/rolegate-broker')).toBe(true);
    expect(IAM_PRINCIPAL_ARN_PATTERN.test('arn:aws-cn:iam::123456789012:role/path/Broker')).toBe(true);
    expect(IAM_PRINCIPAL_ARN_PATTERN.test('arn:aws:sts::123456789012:assumed-role/Broker/x')).toBe(false);
  });
});

describe('parseAssumedRoleArn', () => {
  it('reads the role and session of an STS session ARN', () => {
    expect(parseAssumedRoleArn('arn:aws-us-gov:sts::123456789012:assumed-role/Broker/i-0abc')).toEqual({
      partition: 'aws-us-gov',
      accountId: '123456789012',
      roleName: 'Broker',
      sessionName: 'i-0abc',
    });
  });

  it.each(['arn:aws:iam::123456789012:role/Broker', 'arn:aws:sts::123456789012:assumed-role/Broker', 'arn:aws:sts::123456789012:assumed-role/path/Broker/s'])(
    'refuses %s',
    (arn) => expect(parseAssumedRoleArn(arn)).toBeNull(),
  );
});
