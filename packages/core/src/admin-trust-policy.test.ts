import { describe, expect, it } from 'vitest';
import { brokerTrustPrincipal, trustPolicyFor } from './admin-trust-policy.js';

describe('brokerTrustPrincipal', () => {
  it('keeps an IAM user or role ARN', () => {
    expect(brokerTrustPrincipal('arn:aws:iam::000000000000:user/rolegate-broker')).toBe('arn:aws:iam::000000000000:user/rolegate-broker');
  });
  it('turns an assumed-role session into the role ARN (a session ARN is not a valid trust principal)', () => {
    expect(brokerTrustPrincipal('arn:aws-us-gov:sts::123456789012:assumed-role/Broker/i-0abc')).toBe('arn:aws-us-gov:iam::123456789012:role/Broker');
  });
  it('refuses anything else', () => {
    expect(brokerTrustPrincipal('arn:aws:iam::123456789012:root')).toBeNull();
    expect(brokerTrustPrincipal('*')).toBeNull();
  });
});

describe('trustPolicyFor', () => {
  it('trusts the broker for AssumeRole, SetSourceIdentity and TagSession', () => {
    const { policy, warnings } = trustPolicyFor('arn:aws:iam::111111111111:role/Dev', 'arn:aws:iam::000000000000:user/b');
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RolegateBroker',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:user/b' },
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
        },
      ],
    });
    expect(warnings).toEqual([]);
  });
  it('warns when the role and the broker are in different partitions', () => {
    expect(trustPolicyFor('arn:aws-cn:iam::111111111111:role/Dev', 'arn:aws:iam::000000000000:user/b').warnings[0]).toMatch(/partition aws-cn/);
  });
});
