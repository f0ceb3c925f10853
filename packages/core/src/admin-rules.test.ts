import { describe, expect, it } from 'vitest';
import { accountIdProblem, accountNameProblem, assertNoIssues, groupProblem, mappingIssues, maxDurationProblem, roleArnProblem } from './admin-rules.js';

const ok = {
  group: 'engineers',
  roleArn: 'arn:aws:iam::111111111111:role/Developer',
  maxDurationSeconds: 3600,
  requireReason: false,
  description: '',
  enabled: true,
};

describe('roleArnProblem', () => {
  it.each([
    'arn:aws:iam::111111111111:role/Developer',
    'arn:aws-us-gov:iam::111111111111:role/GovDev',
    'arn:aws-cn:iam::111111111111:role/team/sub/Name+=,.@_-',
  ])('accepts %s', (arn) => {
    expect(roleArnProblem(arn)).toBeNull();
  });

  it.each([
    ['arn:aws-iso:iam::111111111111:role/X', /partition "aws-iso"/],
    ['arn:aws:sts::111111111111:role/X', /service must be iam/],
    ['arn:aws:iam:us-east-1:111111111111:role/X', /no region/],
    ['arn:aws:iam::11111111111:role/X', /12-digit/],
    ['arn:aws:iam::1111111111112:role/X', /12-digit/],
    ['arn:aws:iam::111111111111:user/X', /role\//],
    ['arn:aws:iam::111111111111:role/', /role name ""/],
    ['arn:aws:iam::111111111111:role/has space', /role name/],
    [`arn:aws:iam::111111111111:role/${'a'.repeat(65)}`, /role name/],
    ['arn:aws:iam::111111111111:role/a//X', /empty segments/],
    ['arn:aws:iam::111111111111:role/p ath/X', /printable ASCII/],
    [`arn:aws:iam::111111111111:role/${'p'.repeat(520)}/X`, /at most 512/],
    ['Developer', /must look like/],
  ])('refuses %s', (arn, why) => {
    expect(roleArnProblem(arn)).toMatch(why);
  });
});

describe('groupProblem', () => {
  it('accepts an ordinary group', () => expect(groupProblem('platform-admins')).toBeNull());
  it.each([
    ['', /required/],
    [' admins', /spaces/],
    ['admins ', /spaces/],
    ['dev,admins', /comma/],
    ['a\u0000b', /control/],
    ['g'.repeat(257), /256/],
  ])('refuses %j', (g, why) => expect(groupProblem(g)).toMatch(why));
});

describe('maxDurationProblem', () => {
  it.each([900, 3600, 43200])('accepts %i', (s) => expect(maxDurationProblem(s)).toBeNull());
  it.each([899, 43201, 0, -1, 1000.5, Number.NaN])('refuses %d', (s) => expect(maxDurationProblem(s)).not.toBeNull());
});

describe('accounts', () => {
  it('checks the id and the name', () => {
    expect(accountIdProblem('123456789012')).toBeNull();
    expect(accountIdProblem('12345678901a')).toMatch(/12-digit/);
    expect(accountNameProblem('prod')).toBeNull();
    expect(accountNameProblem('  ')).toMatch(/required/);
    expect(accountNameProblem('n'.repeat(129))).toMatch(/128/);
  });
});

describe('mappingIssues', () => {
  it('is empty for a valid mapping of a registered account', () => {
    expect(mappingIssues(ok, new Set(['111111111111']))).toEqual([]);
  });
  it('names every wrong field', () => {
    const issues = mappingIssues({ ...ok, group: 'a,b', roleArn: 'arn:aws:iam::1:role/X', maxDurationSeconds: 60, description: 'd'.repeat(1001) });
    expect(issues.map((i) => i.path)).toEqual(['group', 'roleArn', 'maxDurationSeconds', 'description']);
  });
  it('refuses a role in an account nobody registered (a mistyped account id)', () => {
    expect(mappingIssues(ok, new Set(['222222222222']))).toEqual([{ path: 'roleArn', message: expect.stringMatching(/111111111111.*not registered/) }]);
  });
  it('assertNoIssues throws VALIDATION_FAILED with the issues as details', () => {
    expect(() => assertNoIssues([])).not.toThrow();
    expect(() => assertNoIssues([{ path: 'group', message: 'group is required' }])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'group', message: 'group is required' }] } }),
    );
  });
});
