import { describe, expect, it } from 'vitest';
import { checkAccountId, checkGroup, checkMaxDuration, checkMaxHoursMinutes, checkRoleArn, hoursMinutesToSeconds } from './mapping-rules';

describe('checkRoleArn (the mapping form)', () => {
  it('splits a valid ARN into the parts the form shows', () => {
    expect(checkRoleArn('arn:aws-us-gov:iam::210987654321:role/team/ReadOnly')).toEqual({
      ok: true,
      parts: { partition: 'aws-us-gov', accountId: '210987654321', path: '/team/', roleName: 'ReadOnly' },
    });
  });

  it.each([
    ['', 'Enter the role ARN, e.g. arn:aws:iam::123456789012:role/Developer.'],
    [' arn:aws:iam::123456789012:role/Admin', 'Remove the spaces before or after the ARN.'],
    ['Developer', 'A role ARN looks like arn:aws:iam::123456789012:role/Name.'],
    ['arn:aws-iso:iam::123456789012:role/Admin', 'Unknown partition "aws-iso": use aws, aws-us-gov or aws-cn.'],
    ['arn:aws:sts::123456789012:role/Admin', 'The service must be iam, not "sts".'],
    ['arn:aws:iam:us-east-1:123456789012:role/Admin', 'IAM ARNs have no region: use "iam::" followed by the account ID.'],
    ['arn:aws:iam::12345:role/Admin', 'The account ID in the ARN must be exactly 12 digits.'],
    ['arn:aws:iam::123456789012:user/Admin', 'The ARN must name a role ("…:role/Name"), not another IAM resource.'],
    ['arn:aws:iam::123456789012:role/team/', 'The role name is missing after the last "/".'],
    [`arn:aws:iam::123456789012:role/${'r'.repeat(65)}`, 'The role name may be at most 64 characters.'],
    ['arn:aws:iam::123456789012:role/Ad*min', 'The role name may contain only letters, digits and + = , . @ _ -.'],
    ['arn:aws:iam::123456789012:role/a//b/Admin', 'The role path may not contain an empty segment ("//").'],
  ])('explains %j next to the field', (value, message) => {
    expect(checkRoleArn(value)).toEqual({ ok: false, message });
  });
});

describe('the other mapping fields', () => {
  it('refuses near-miss groups, since groups match exactly', () => {
    expect(checkGroup('admins')).toBe(true);
    expect(checkGroup('admins ')).toMatch(/spaces/);
    expect(checkGroup('dev,admins')).toMatch(/One group per mapping/);
    expect(checkGroup('')).toMatch(/Enter the identity-provider group/);
  });

  it('keeps the maximum session within AWS bounds, in seconds or hours and minutes', () => {
    expect(checkMaxDuration(900)).toBe(true);
    expect(checkMaxDuration(43200)).toBe(true);
    expect(checkMaxDuration(899)).toMatch(/between 900/);
    expect(checkMaxDuration(3600.5)).toBe('Use whole seconds.');
    expect(hoursMinutesToSeconds(1, 30)).toBe(5400);
    expect(hoursMinutesToSeconds(1, 60)).toBeNaN();
    expect(checkMaxHoursMinutes(0, 14)).toBe('Must be between 15 min and 12 h.');
    expect(checkMaxHoursMinutes(12, 0)).toBe(true);
    expect(checkMaxHoursMinutes(12, 1)).toBe('Must be between 15 min and 12 h.');
  });

  it('wants 12-digit account ids', () => {
    expect(checkAccountId('000000000001')).toBe(true);
    expect(checkAccountId('12345678901')).toMatch(/exactly 12 digits/);
  });
});
