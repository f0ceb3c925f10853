import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from './policy/document.js';
import { evaluatePolicies } from './policy/evaluate.js';
import { trustPolicyFromPrincipals } from './iam-state.js';

const callers = [{ accessKeyId: 'AKIA1', secretAccessKey: 's', arn: 'arn:aws:iam::111111111111:user/broker' }];
const allows = (trusted: string[], arn: string, roleArn?: string): boolean => {
  const document = parsePolicyDocument(JSON.stringify(trustPolicyFromPrincipals(trusted, callers)), 'trust');
  const principal = { arn, account: arn.split(':')[4]!, ...(roleArn ? { roleArn } : {}) };
  return (
    evaluatePolicies([{ name: 'trust', document }], { action: 'sts:AssumeRole', resource: 'arn:aws:iam::222222222222:role/Dev', principal, context: {} })
      .effect === 'Allow'
  );
};

describe('trust policy derived from trustedPrincipals', () => {
  it('matches the exact ARN only', () => {
    expect(allows(['arn:aws:iam::111111111111:user/broker'], 'arn:aws:iam::111111111111:user/broker')).toBe(true);
    expect(allows(['arn:aws:iam::111111111111:user/broker'], 'arn:aws:iam::111111111111:user/broker2')).toBe(false);
  });

  it('"*" means every configured caller, not any session', () => {
    expect(allows(['*'], 'arn:aws:iam::111111111111:user/broker')).toBe(true);
    expect(allows(['*'], 'arn:aws:sts::111111111111:assumed-role/X/s', 'arn:aws:iam::111111111111:role/X')).toBe(false);
  });

  it("a role ARN admits that role's sessions only (same partition, account and name)", () => {
    const trusted = ['arn:aws:iam::111111111111:role/path/Broker'];
    expect(allows(trusted, 'arn:aws:sts::111111111111:assumed-role/Broker/i-1', 'arn:aws:iam::111111111111:role/Broker')).toBe(true);
    expect(allows(trusted, 'arn:aws:sts::999999999999:assumed-role/Broker/i-1', 'arn:aws:iam::999999999999:role/Broker')).toBe(false);
    expect(allows(trusted, 'arn:aws-cn:sts::111111111111:assumed-role/Broker/i-1', 'arn:aws-cn:iam::111111111111:role/Broker')).toBe(false);
    expect(allows(trusted, 'arn:aws:sts::111111111111:assumed-role/BrokerX/i-1', 'arn:aws:iam::111111111111:role/BrokerX')).toBe(false);
  });

  it('an empty list trusts nobody', () => {
    expect(allows([], 'arn:aws:iam::111111111111:user/broker')).toBe(false);
  });
});
