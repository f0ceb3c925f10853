import { IAM_PRINCIPAL_ARN_PATTERN, parseAssumedRoleArn, parseRoleArn } from '@rolegate/aws-names';

/** The STS actions a target role must allow the broker (AssumeRole, SourceIdentity, the grant-id session tag). */
export const BROKER_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] as const;

/**
 * The principal a trust policy must name for the broker, from the ARN that
 * GetCallerIdentity reports. A session ARN (`sts::…:assumed-role/Role/session`)
 * is not a valid trust principal: it becomes the role ARN (role paths are not
 * visible in a session ARN; a role under a path must be written with its
 * path). Returns null for anything else (e.g. a root or federated user).
 */
export function brokerTrustPrincipal(callerArn: string): string | null {
  const assumed = parseAssumedRoleArn(callerArn);
  if (assumed) return `arn:${assumed.partition}:iam::${assumed.accountId}:role/${assumed.roleName}`;
  return IAM_PRINCIPAL_ARN_PATTERN.test(callerArn) ? callerArn : null;
}

export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Principal: { AWS: string }; Action: string[] }[];
}

/**
 * The trust policy a target role needs so the broker can assume it with a
 * SourceIdentity and the `rolegate:grant-id` tag, plus remarks: a role in
 * another partition than the broker cannot trust it at all.
 */
export function trustPolicyFor(roleArn: string, brokerPrincipalArn: string): { policy: TrustPolicy; warnings: string[] } {
  const warnings: string[] = [];
  const role = parseRoleArn(roleArn);
  const brokerPartition = /^arn:([^:]+):/.exec(brokerPrincipalArn)?.[1];
  if (role && brokerPartition && role.partition !== brokerPartition) {
    warnings.push(`The role is in partition ${role.partition} but the broker is in ${brokerPartition}; roles cannot trust principals of another partition.`);
  }
  return {
    policy: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'RolegateBroker', Effect: 'Allow', Principal: { AWS: brokerPrincipalArn }, Action: [...BROKER_TRUST_ACTIONS] }],
    },
    warnings,
  };
}
