import { describe, expect, it } from 'vitest';
import { isTrusted } from './trust.js';

const role = (trustedPrincipals: string[]) => ({ arn: 'arn:aws:iam::222222222222:role/Dev', trustedPrincipals });

describe('isTrusted', () => {
  it('matches caller ARNs exactly, not by prefix', () => {
    expect(isTrusted(role(['arn:aws:iam::111111111111:user/broker']), 'arn:aws:iam::111111111111:user/broker', true)).toBe(true);
    expect(isTrusted(role(['arn:aws:iam::111111111111:user/broker']), 'arn:aws:iam::111111111111:user/broker2', true)).toBe(false);
  });

  it('"*" admits configured callers only, not emulator-issued sessions', () => {
    expect(isTrusted(role(['*']), 'arn:aws:iam::111111111111:user/anyone', true)).toBe(true);
    expect(isTrusted(role(['*']), 'arn:aws:sts::111111111111:assumed-role/X/s', false)).toBe(false);
  });

  it("a listed role ARN admits that role's sessions in the same partition and account only", () => {
    const r = role(['arn:aws:iam::111111111111:role/ops/Broker']);
    expect(isTrusted(r, 'arn:aws:sts::111111111111:assumed-role/Broker/i-1', false)).toBe(true);
    expect(isTrusted(r, 'arn:aws:sts::999999999999:assumed-role/Broker/i-1', false)).toBe(false);
    expect(isTrusted(r, 'arn:aws-cn:sts::111111111111:assumed-role/Broker/i-1', false)).toBe(false);
    expect(isTrusted(r, 'arn:aws:sts::111111111111:assumed-role/BrokerX/i-1', false)).toBe(false);
  });
});
