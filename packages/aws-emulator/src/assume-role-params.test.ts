import { describe, expect, it } from 'vitest';
import { packedPolicySize, parseAssumeRoleParams } from './assume-role-params.js';

const base = { RoleArn: 'arn:aws:iam::222222222222:role/Dev', RoleSessionName: 'alice' };

describe('parseAssumeRoleParams', () => {
  it('reads tags and transitive keys in member order', () => {
    const input = parseAssumeRoleParams({
      ...base,
      'Tags.member.2.Key': 'b',
      'Tags.member.2.Value': '2',
      'Tags.member.10.Key': 'c',
      'Tags.member.10.Value': '',
      'Tags.member.1.Key': 'a',
      'Tags.member.1.Value': '1',
      'TransitiveTagKeys.member.1': 'A',
    });
    expect(input.tags).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'c', value: '' },
    ]);
    expect(input.transitiveTagKeys).toEqual(['A']);
    expect(input.durationSeconds).toBe(3600);
  });

  it('reports every violation at once, as STS does', () => {
    expect(() => parseAssumeRoleParams({ RoleSessionName: 'a' })).toThrow(
      "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    );
  });

  it('rejects a transitive key that is not a session tag, a non-integer duration and a non-JSON policy', () => {
    expect(() => parseAssumeRoleParams({ ...base, 'TransitiveTagKeys.member.1': 'x' })).toThrow(/transitive tag key/);
    expect(() => parseAssumeRoleParams({ ...base, DurationSeconds: '3600.5' })).toThrow(/DurationSeconds is invalid/);
    expect(() => parseAssumeRoleParams({ ...base, Policy: '{nope' })).toThrow(/valid JSON/);
  });

  it('accepts unicode letters in tags and sizes the packed policy', () => {
    const input = parseAssumeRoleParams({ ...base, 'Tags.member.1.Key': 'équipe', 'Tags.member.1.Value': 'Zürich 1' });
    expect(packedPolicySize(input)).toBeGreaterThan(0);
    expect(packedPolicySize(parseAssumeRoleParams(base))).toBeUndefined();
  });
});
