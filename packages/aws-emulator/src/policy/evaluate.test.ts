import { describe, expect, it } from 'vitest';
import { evaluateOperator, arnMatches, parseDateValue } from './conditions.js';
import { parsePolicyDocument, PolicySyntaxError, policySize } from './document.js';
import { evaluatePolicies, type AuthzRequest } from './evaluate.js';

const doc = (...Statement: object[]) => parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement }));
const req = (over: Partial<AuthzRequest> = {}): AuthzRequest => ({ action: 's3:ListAllMyBuckets', resource: '*', context: {}, ...over });
const effect = (statements: object[], r: Partial<AuthzRequest> = {}) => evaluatePolicies([{ name: 'p', document: doc(...statements) }], req(r)).effect;
const ALLOW_ALL = { Effect: 'Allow', Action: '*', Resource: '*' };

describe('evaluatePolicies: effects', () => {
  it('denies implicitly when nothing allows', () => {
    expect(evaluatePolicies([], req()).effect).toBe('ImplicitDeny');
    expect(effect([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }])).toBe('ImplicitDeny');
  });

  it('lets an explicit Deny beat any Allow, whichever policy and order', () => {
    const allow = { name: 'allow', document: doc(ALLOW_ALL) };
    const deny = { name: 'deny', document: doc({ Sid: 'Stop', Effect: 'Deny', Action: 's3:*', Resource: '*' }) };
    expect(evaluatePolicies([allow, deny], req())).toEqual({ effect: 'ExplicitDeny', policy: 'deny', sid: 'Stop' });
    expect(evaluatePolicies([deny, allow], req())).toEqual({ effect: 'ExplicitDeny', policy: 'deny', sid: 'Stop' });
    expect(evaluatePolicies([allow], req())).toEqual({ effect: 'Allow', policy: 'allow' });
  });

  it('a Deny whose condition does not hold leaves the Allow standing', () => {
    const deny = { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } };
    expect(effect([ALLOW_ALL, deny], { context: { 'aws:PrincipalTag/team': 'blue' } })).toBe('Allow');
    expect(effect([ALLOW_ALL, deny], { context: { 'aws:PrincipalTag/team': 'red' } })).toBe('ExplicitDeny');
  });
});

describe('Action / NotAction / Resource / NotResource', () => {
  it('matches actions case-insensitively with * and ? wildcards', () => {
    expect(effect([{ Effect: 'Allow', Action: 'S3:list*', Resource: '*' }])).toBe('Allow');
    expect(effect([{ Effect: 'Allow', Action: 's3:ListAllMyBucket?', Resource: '*' }])).toBe('Allow');
    expect(effect([{ Effect: 'Allow', Action: 's3:ListAllMyBucket', Resource: '*' }])).toBe('ImplicitDeny');
    expect(effect([{ Effect: 'Allow', Action: ['iam:*', 's3:Get*'], Resource: '*' }])).toBe('ImplicitDeny');
  });

  it('NotAction applies to every action except the listed ones', () => {
    const deny = { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' };
    expect(effect([ALLOW_ALL, deny])).toBe('ExplicitDeny');
    expect(effect([ALLOW_ALL, deny], { action: 'iam:GetRole' })).toBe('Allow');
  });

  it('matches resources case-sensitively with wildcards; NotResource inverts', () => {
    const arn = 'arn:aws:iam::222222222222:policy/RolegateRevocations';
    expect(effect([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:iam::222222222222:policy/Rolegate*' }], { resource: arn })).toBe('Allow');
    expect(effect([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:iam::222222222222:policy/rolegate*' }], { resource: arn })).toBe('ImplicitDeny');
    expect(effect([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:iam::333333333333:policy/*' }], { resource: arn })).toBe('ImplicitDeny');
    expect(effect([{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:iam::333333333333:*' }], { resource: arn })).toBe('Allow');
    expect(effect([{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:iam::222222222222:*' }], { resource: arn })).toBe('ImplicitDeny');
  });

  it('substitutes policy variables in resources; a missing variable matches nothing', () => {
    const st = { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::home/${aws:PrincipalTag/team}/*' };
    expect(effect([st], { resource: 'arn:aws:s3:::home/blue/x', context: { 'aws:PrincipalTag/team': 'blue' } })).toBe('Allow');
    expect(effect([st], { resource: 'arn:aws:s3:::home/red/x', context: { 'aws:PrincipalTag/team': 'blue' } })).toBe('ImplicitDeny');
    expect(effect([st], { resource: 'arn:aws:s3:::home/blue/x' })).toBe('ImplicitDeny');
    // A value containing "*" is literal, not a wildcard.
    expect(effect([st], { resource: 'arn:aws:s3:::home/blue/x', context: { 'aws:PrincipalTag/team': '*' } })).toBe('ImplicitDeny');
  });
});

describe('condition semantics', () => {
  const withCondition = (Condition: object) => [{ Effect: 'Allow', Action: '*', Resource: '*', Condition }];

  it('ORs the values of one key and ANDs keys and operators', () => {
    const c = withCondition({ StringEquals: { 'aws:PrincipalTag/team': ['red', 'blue'], 'aws:SourceIdentity': 'alice' } });
    expect(effect(c, { context: { 'aws:PrincipalTag/team': 'blue', 'aws:SourceIdentity': 'alice' } })).toBe('Allow');
    expect(effect(c, { context: { 'aws:PrincipalTag/team': 'blue', 'aws:SourceIdentity': 'bob' } })).toBe('ImplicitDeny');
    const two = withCondition({ StringEquals: { 'aws:SourceIdentity': 'alice' }, Bool: { 'aws:SecureTransport': 'true' } });
    expect(effect(two, { context: { 'aws:SourceIdentity': 'alice', 'aws:SecureTransport': 'false' } })).toBe('ImplicitDeny');
    expect(effect(two, { context: { 'aws:SourceIdentity': 'alice', 'aws:SecureTransport': 'true' } })).toBe('Allow');
  });

  it('treats condition key names case-insensitively (values stay case-sensitive)', () => {
    const c = withCondition({ StringEquals: { 'AWS:principaltag/Rolegate:Grant-Id': 'g-1' } });
    expect(effect(c, { context: { 'aws:PrincipalTag/rolegate:grant-id': 'g-1' } })).toBe('Allow');
    expect(effect(c, { context: { 'aws:PrincipalTag/rolegate:grant-id': 'G-1' } })).toBe('ImplicitDeny');
  });

  it('a Deny on a missing key does not apply (positive operators); negated operators apply', () => {
    const deny = (op: string) => [
      ALLOW_ALL,
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { [op]: { 'aws:PrincipalTag/rolegate:grant-id': 'g-1' } } },
    ];
    expect(effect(deny('StringEquals'))).toBe('Allow');
    expect(effect(deny('StringLike'))).toBe('Allow');
    expect(effect(deny('StringNotEquals'))).toBe('ExplicitDeny');
    expect(effect(deny('StringNotLike'))).toBe('ExplicitDeny');
  });
});

describe('evaluateOperator', () => {
  it.each([
    ['StringEquals', 'abc', ['abc'], true],
    ['StringEquals', 'abc', ['ABC'], false],
    ['StringNotEquals', 'abc', ['x', 'y'], true],
    ['StringNotEquals', 'abc', ['x', 'abc'], false],
    ['StringEqualsIgnoreCase', 'ABC', ['abc'], true],
    ['StringNotEqualsIgnoreCase', 'ABC', ['abc'], false],
    ['StringNotEqualsIgnoreCase', 'ABD', ['abc'], true],
    ['StringLike', 'grant-42', ['grant-*'], true],
    ['StringLike', 'grant-42', ['grant-?'], false],
    ['StringLike', 'grant-4', ['grant-?'], true],
    ['StringLike', 'GRANT-4', ['grant-*'], false],
    ['StringNotLike', 'grant-42', ['other-*'], true],
    ['StringNotLike', 'grant-42', ['grant-*'], false],
    ['NumericLessThan', '5', ['10'], true],
    ['NumericGreaterThanEquals', '10', ['10'], true],
    ['NumericEquals', 'x', ['10'], false],
    ['Bool', 'true', ['True'], true],
    ['Bool', 'false', ['true'], false],
    ['ArnLike', 'arn:aws:iam::222222222222:role/teams/Dev', ['arn:aws:iam::*:role/teams/*'], true],
    ['ArnLike', 'arn:aws:iam::222222222222:role/teams/Dev', ['arn:aws:iam::*:role/ops/*'], false],
    ['ArnEquals', 'arn:aws:iam::222222222222:role/Dev', ['arn:aws:iam::222222222222:role/Dev'], true],
    ['ArnNotLike', 'arn:aws:iam::222222222222:role/Dev', ['arn:aws:iam::333333333333:*'], true],
    ['ArnNotEquals', 'arn:aws:iam::222222222222:role/Dev', ['arn:aws:iam::222222222222:role/Dev'], false],
  ] as const)('%s(%j, %j) = %s', (op, value, policy, expected) => {
    expect(evaluateOperator(op, value, policy)).toBe(expected);
  });

  it('ArnLike does not let "*" in one part run into another part', () => {
    // "*" in the service part must not swallow the region and account parts.
    expect(arnMatches('arn:aws:iam::222222222222:role/Dev', 'arn:aws:*:role/Dev')).toBe(false);
    expect(arnMatches('arn:aws:iam::222222222222:role/Dev', 'arn:aws:*:*:*:role/Dev')).toBe(true);
    expect(arnMatches('not-an-arn', 'arn:*:*:*:*:*')).toBe(false);
  });

  const T = '2026-12-08T02:00:00Z';
  it.each([
    ['DateLessThan', '2026-12-08T01:59:59Z', [T], true],
    ['DateLessThan', T, [T], false],
    ['DateLessThanEquals', T, [T], true],
    ['DateGreaterThan', '2026-12-08T02:00:01Z', [T], true],
    ['DateGreaterThan', T, [T], false],
    ['DateGreaterThanEquals', T, [T], true],
    ['DateEquals', T, ['2026-12-08T03:00:00+01:00'], true],
    ['DateNotEquals', T, ['2026-12-08T02:00:01Z'], true],
    // Epoch seconds on either side.
    ['DateLessThan', '2026-12-08T01:59:59Z', [String(Date.parse(T) / 1000)], true],
    ['DateLessThan', String(Date.parse(T) / 1000 - 1), [T], true],
    ['DateGreaterThan', String(Date.parse(T) / 1000 - 1), [T], false],
    // Not a date: never matches.
    ['DateLessThan', 'yesterday', [T], false],
  ] as const)('%s(%j, %j) = %s', (op, value, policy, expected) => {
    expect(evaluateOperator(op, value, policy)).toBe(expected);
  });

  it('parses ISO 8601 and epoch seconds only', () => {
    expect(parseDateValue('1700000000')).toBe(1_700_000_000_000);
    expect(parseDateValue('2026-12-08')).toBe(Date.parse('2026-12-08'));
    expect(parseDateValue('Dec 8 2026')).toBeNaN();
  });

  it('missing key: false for positive operators, true for negated ones and IfExists', () => {
    expect(evaluateOperator('StringEquals', undefined, ['a'])).toBe(false);
    expect(evaluateOperator('DateLessThan', undefined, ['2026-01-01T00:00:00Z'])).toBe(false);
    expect(evaluateOperator('Bool', undefined, ['false'])).toBe(false);
    expect(evaluateOperator('StringNotEquals', undefined, ['a'])).toBe(true);
    expect(evaluateOperator('ArnNotLike', undefined, ['arn:*'])).toBe(true);
    expect(evaluateOperator('StringEqualsIfExists', undefined, ['a'])).toBe(true);
    expect(evaluateOperator('DateLessThanIfExists', undefined, ['2026-01-01T00:00:00Z'])).toBe(true);
    // IfExists on a present key behaves like the plain operator.
    expect(evaluateOperator('StringEqualsIfExists', 'b', ['a'])).toBe(false);
    expect(evaluateOperator('StringEqualsIfExists', 'a', ['a'])).toBe(true);
  });

  it('Null tests presence: "true" holds when the key is absent, "false" when present', () => {
    expect(evaluateOperator('Null', undefined, ['true'])).toBe(true);
    expect(evaluateOperator('Null', 'x', ['true'])).toBe(false);
    expect(evaluateOperator('Null', 'x', ['false'])).toBe(true);
    expect(evaluateOperator('Null', undefined, ['false'])).toBe(false);
    expect(evaluateOperator('Null', [], ['true'])).toBe(true);
  });

  it('ForAnyValue: some context value matches; false when the key is missing', () => {
    expect(evaluateOperator('ForAnyValue:StringEquals', ['team', 'grant'], ['grant'])).toBe(true);
    expect(evaluateOperator('ForAnyValue:StringEquals', ['team'], ['grant'])).toBe(false);
    expect(evaluateOperator('ForAnyValue:StringLike', ['rolegate:grant-id'], ['rolegate:*'])).toBe(true);
    expect(evaluateOperator('ForAnyValue:StringEquals', undefined, ['grant'])).toBe(false);
    expect(evaluateOperator('ForAnyValue:StringNotEquals', ['a', 'b'], ['a'])).toBe(true);
    expect(evaluateOperator('ForAnyValue:StringNotEquals', ['a'], ['a'])).toBe(false);
  });

  it('ForAllValues: every context value matches; true when the key is missing or empty', () => {
    expect(evaluateOperator('ForAllValues:StringEquals', ['a', 'b'], ['a', 'b', 'c'])).toBe(true);
    expect(evaluateOperator('ForAllValues:StringEquals', ['a', 'z'], ['a', 'b', 'c'])).toBe(false);
    expect(evaluateOperator('ForAllValues:StringEquals', undefined, ['a'])).toBe(true);
    expect(evaluateOperator('ForAllValues:StringEquals', [], ['a'])).toBe(true);
  });

  it('unknown operators never hold', () => {
    expect(evaluateOperator('StringEqualz', 'a', ['a'])).toBe(false);
    expect(evaluateOperator('ForAnyValue:Null', undefined, ['true'])).toBe(false);
  });
});

describe('parsePolicyDocument', () => {
  const bad =
    (d: unknown, kind: 'identity' | 'trust' = 'identity') =>
    () =>
      parsePolicyDocument(typeof d === 'string' ? d : JSON.stringify(d), kind);
  it('refuses what IAM refuses', () => {
    expect(bad('{')).toThrow(PolicySyntaxError);
    expect(bad({ Version: '2012-10-17' })).toThrow('Missing required field Statement');
    expect(bad({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] })).toThrow('Policy statement must contain actions.');
    expect(bad({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*' }] })).toThrow('Policy statement must contain resources.');
    expect(bad({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] })).toThrow(
      'should not specify a principal',
    );
    expect(bad({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, 'trust')).toThrow('Missing required field Principal');
    expect(bad({ Version: '2013-01-01', Statement: [ALLOW_ALL] })).toThrow('valid version');
    expect(bad({ Version: '2012-10-17', Statement: [{ ...ALLOW_ALL, Condition: { DateLessThann: { 'aws:CurrentTime': 'x' } } }] })).toThrow(
      'Invalid Condition type',
    );
    expect(bad({ Version: '2012-10-17', Statement: [{ ...ALLOW_ALL, Sid: 'not ok' }] })).toThrow('alpha-numeric');
  });

  it('accepts a single statement object, single strings, and boolean condition values', () => {
    const d = parsePolicyDocument(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': false } } },
      }),
    );
    expect(d.statements).toEqual([{ effect: 'Deny', action: ['s3:*'], resource: ['*'], condition: { Bool: { 'aws:SecureTransport': ['false'] } } }]);
  });

  it('counts size without whitespace', () => {
    expect(policySize('{ "a" :\n\t"b c" }')).toBe(10);
  });
});

describe('trust-policy principals', () => {
  const trust = (Principal: unknown) =>
    parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal, Action: 'sts:AssumeRole' }] }), 'trust');
  const ask = (Principal: unknown, principal: AuthzRequest['principal']) =>
    evaluatePolicies([{ name: 't', document: trust(Principal) }], {
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::222222222222:role/Dev',
      context: {},
      ...(principal ? { principal } : {}),
    }).effect;
  const user = { arn: 'arn:aws:iam::111111111111:user/broker', account: '111111111111' };
  it('admits by exact ARN, account id, account root or "*"', () => {
    expect(ask({ AWS: user.arn }, user)).toBe('Allow');
    expect(ask({ AWS: '111111111111' }, user)).toBe('Allow');
    expect(ask({ AWS: 'arn:aws:iam::111111111111:root' }, user)).toBe('Allow');
    expect(ask('*', user)).toBe('Allow');
    expect(ask({ AWS: 'arn:aws:iam::999999999999:root' }, user)).toBe('ImplicitDeny');
    expect(ask({ Service: 'ec2.amazonaws.com' }, user)).toBe('ImplicitDeny');
    expect(ask({ AWS: user.arn }, undefined)).toBe('ImplicitDeny');
  });
});
