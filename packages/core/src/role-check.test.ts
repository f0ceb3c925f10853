import { describe, expect, it } from 'vitest';
import { accountOfPrincipal, actionMatches, checkRole, combinedFix, parseTrustPolicyDocument, trustFindings, type RoleCheckInput } from './role-check.js';

const BROKER = 'arn:aws:iam::000000000000:user/rolegate-broker';
const ROLE = 'arn:aws:iam::111111111111:role/Developer';
const POLICY_ARN = 'arn:aws:iam::111111111111:policy/RolegateRevocations';

/** A trust policy as IAM's GetRole returns it: URL-encoded JSON. */
const encoded = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));
const trust = (...Statement: unknown[]) => encoded({ Version: '2012-10-17', Statement });
const ALL = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];
const brokerStatement = (Action: unknown = ALL, extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { AWS: BROKER }, Action, ...extra });

const codes = (document: string) => trustFindings({ roleArn: ROLE, brokerPrincipalArn: BROKER, document }).map((f) => f.code);

function input(over: Partial<RoleCheckInput['observed'] & object> = {}, mappingMaxSeconds = 3600): RoleCheckInput {
  return {
    roleArn: ROLE,
    mappingMaxSeconds,
    brokerPrincipalArn: BROKER,
    revocationPolicyArn: POLICY_ARN,
    observed: { roleArn: ROLE, trustPolicyDocument: trust(brokerStatement()), maxSessionDuration: 43200, attachedPolicyArns: [POLICY_ARN], ...over },
  };
}

describe('parseTrustPolicyDocument', () => {
  it('decodes the URL-encoded document GetRole returns, and accepts plain JSON', () => {
    expect(parseTrustPolicyDocument(encoded({ a: 'x y/+' }))).toEqual({ a: 'x y/+' });
    expect(parseTrustPolicyDocument('{"a":1}')).toEqual({ a: 1 });
    expect(parseTrustPolicyDocument('%7Bnot json')).toBeNull();
  });
});

describe('actionMatches', () => {
  it('honours IAM wildcards and case-insensitivity', () => {
    expect(actionMatches('sts:*', 'sts:TagSession')).toBe(true);
    expect(actionMatches('*', 'sts:AssumeRole')).toBe(true);
    expect(actionMatches('STS:assume*', 'sts:AssumeRole')).toBe(true);
    expect(actionMatches('sts:AssumeRole', 'sts:AssumeRoleWithSAML')).toBe(false);
    expect(actionMatches('sts:Tag?ession', 'sts:TagSession')).toBe(true);
    expect(actionMatches('iam:*', 'sts:AssumeRole')).toBe(false);
  });
});

describe('trustFindings', () => {
  it('passes the policy Rolegate documents (Statement as array or object, Action array)', () => {
    expect(codes(trust(brokerStatement()))).toEqual([]);
    expect(codes(encoded({ Version: '2012-10-17', Statement: brokerStatement() }))).toEqual([]);
  });

  it('passes sts:* and separate statements per action', () => {
    expect(codes(trust(brokerStatement('sts:*')))).toEqual([]);
    expect(codes(trust(brokerStatement('sts:AssumeRole'), brokerStatement(['sts:SetSourceIdentity']), brokerStatement('sts:TagSession')))).toEqual([]);
  });

  it('flags a trust policy without sts:TagSession, with the statement to paste as the fix', () => {
    const findings = trustFindings({
      roleArn: ROLE,
      brokerPrincipalArn: BROKER,
      document: trust(brokerStatement(['sts:AssumeRole', 'sts:SetSourceIdentity'])),
    });
    expect(findings.map((f) => f.code)).toEqual(['TRUST_MISSING_TAG_SESSION']);
    expect(findings[0]!.fix).toContain('"sts:TagSession"');
    expect(findings[0]!.fix).toContain(BROKER);
    expect(findings[0]!.fix).toContain('aws iam update-assume-role-policy --role-name Developer');
  });

  it('flags missing SetSourceIdentity, and a policy that does not trust the broker at all', () => {
    expect(codes(trust(brokerStatement(['sts:AssumeRole', 'sts:TagSession'])))).toEqual(['TRUST_MISSING_SET_SOURCE_IDENTITY']);
    const other = trust({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Ops' }, Action: ALL });
    expect(codes(other)).toEqual(['BROKER_NOT_TRUSTED', 'TRUST_MISSING_SET_SOURCE_IDENTITY', 'TRUST_MISSING_TAG_SESSION']);
  });

  it('does not count an action named for a different principal (a Principal array without the broker)', () => {
    const doc = trust(brokerStatement(['sts:AssumeRole', 'sts:SetSourceIdentity']), {
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::111111111111:role/Ops'] },
      Action: 'sts:TagSession',
    });
    expect(codes(doc)).toEqual(['TRUST_MISSING_TAG_SESSION']);
  });

  it('flags "Principal": "*" and {"AWS": "*"} (anyone may assume the role), while the broker is trusted through it', () => {
    expect(codes(trust({ Effect: 'Allow', Principal: '*', Action: ALL }))).toEqual(['TRUST_ANY_PRINCIPAL']);
    expect(codes(trust(brokerStatement(), { Effect: 'Allow', Principal: { AWS: ['*'] }, Action: 'sts:AssumeRole' }))).toEqual(['TRUST_ANY_PRINCIPAL']);
  });

  it('flags the root or a role of an unexpected account, not the role’s own or the broker’s account', () => {
    const doc = trust(brokerStatement(), {
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::999999999999:root', '111111111111', 'arn:aws:iam::000000000000:role/Other', 'arn:aws:iam::888888888888:role/X'] },
      Action: 'sts:AssumeRole',
    });
    const findings = trustFindings({ roleArn: ROLE, brokerPrincipalArn: BROKER, document: doc });
    expect(findings.map((f) => f.code)).toEqual(['TRUST_UNEXPECTED_ACCOUNT', 'TRUST_UNEXPECTED_ACCOUNT']);
    expect(findings[0]!.message).toContain('account 999999999999 (its root)');
    expect(findings[1]!.message).toContain('arn:aws:iam::888888888888:role/X');
  });

  it('trusts the broker through its account root, and reports conditions it cannot evaluate', () => {
    expect(codes(trust({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: ALL }))).toEqual([]);
    const conditioned = trust(brokerStatement(ALL, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }));
    const findings = trustFindings({ roleArn: ROLE, brokerPrincipalArn: BROKER, document: conditioned });
    expect(findings.map((f) => f.code)).toEqual(['TRUST_CONDITION', 'TRUST_CONDITION', 'TRUST_CONDITION']);
    expect(findings[0]!.message).toContain('sts:ExternalId');
  });

  it('accepts the presence-only conditions docs/deploy.md recommends, not an exact SourceIdentity', () => {
    const hardened = brokerStatement(ALL, { Condition: { StringLike: { 'sts:SourceIdentity': '*', 'aws:RequestTag/rolegate:grant-id': '*' } } });
    expect(codes(trust(hardened))).toEqual([]);
    const exact = brokerStatement(ALL, { Condition: { StringEquals: { 'sts:SourceIdentity': 'alice' } } });
    expect(codes(trust(exact))).toContain('TRUST_CONDITION');
  });

  it('an explicit Deny of the broker wins over its Allow', () => {
    expect(codes(trust(brokerStatement(), { Effect: 'Deny', Principal: { AWS: BROKER }, Action: 'sts:TagSession' }))).toEqual(['TRUST_DENIES_BROKER']);
  });

  it('NotPrincipal with Allow and service principals are wider than the broker', () => {
    expect(codes(trust(brokerStatement(), { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::1:user/x' }, Action: 'sts:AssumeRole' }))).toEqual([
      'TRUST_ANY_PRINCIPAL',
    ]);
    expect(codes(trust(brokerStatement(), { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }))).toEqual([
      'TRUST_NON_AWS_PRINCIPAL',
    ]);
  });

  it('reports an unreadable document instead of throwing', () => {
    expect(codes('%E0%A4%A')).toEqual(['TRUST_POLICY_UNREADABLE']);
    expect(codes(encoded({ Version: '2012-10-17' }))).toEqual(['TRUST_POLICY_UNREADABLE']);
  });
});

describe('checkRole', () => {
  it('an OK role has no findings', () => {
    expect(checkRole(input())).toEqual([]);
    expect(combinedFix([])).toBeNull();
  });

  it('flags MaxSessionDuration below the mapping maximum with the update-role command', () => {
    const findings = checkRole(input({ maxSessionDuration: 3600 }, 14400));
    expect(findings.map((f) => f.code)).toEqual(['MAX_SESSION_TOO_SHORT']);
    expect(findings[0]!.fix).toContain('aws iam update-role --role-name Developer --max-session-duration 14400');
  });

  it('flags a missing revocation policy attachment with the attach command', () => {
    const findings = checkRole(input({ attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }));
    expect(findings.map((f) => f.code)).toEqual(['REVOCATION_POLICY_NOT_ATTACHED']);
    expect(combinedFix(findings)).toBe(`aws iam attach-role-policy --role-name Developer --policy-arn ${POLICY_ARN}`);
  });

  it('a missing role is one finding with the create-role command', () => {
    const findings = checkRole({ ...input(), observed: null });
    expect(findings.map((f) => f.code)).toEqual(['ROLE_NOT_FOUND']);
    expect(findings[0]!.fix).toContain('aws iam create-role --role-name Developer');
  });
});

describe('accountOfPrincipal', () => {
  it('reads ids, roots and ARNs', () => {
    expect(accountOfPrincipal('123456789012')).toBe('123456789012');
    expect(accountOfPrincipal('arn:aws-cn:iam::123456789012:root')).toBe('123456789012');
    expect(accountOfPrincipal('AROAEXAMPLE')).toBeNull();
  });
});
