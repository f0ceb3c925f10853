import { parseRoleArn } from './partitions.js';

/** The STS actions a target role must allow the broker (AssumeRole, SourceIdentity, the grant-id session tag). */
export const BROKER_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] as const;

const ASSUMED_ROLE = /^arn:(aws|aws-us-gov|aws-cn):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[^/]+$/;
const IAM_PRINCIPAL = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):(user|role)\/.+$/;

/**
 * The principal a trust policy must name for the broker, from the ARN that
 * GetCallerIdentity reports. A session ARN (`sts::…:assumed-role/Role/session`)
 * is not a valid trust principal: it becomes the role ARN (role paths are not
 * visible in a session ARN; a role under a path must be written with its
 * path). Returns null for anything else (e.g. a root or federated user).
 */
export function brokerTrustPrincipal(callerArn: string): string | null {
  const assumed = ASSUMED_ROLE.exec(callerArn);
  if (assumed) return `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}`;
  return IAM_PRINCIPAL.test(callerArn) ? callerArn : null;
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
