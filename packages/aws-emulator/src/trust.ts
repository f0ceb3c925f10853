import { parseAssumedRoleArn, parseRoleArn } from './arn.js';
import type { EmulatorRole } from './types.js';

/**
 * Whether the role's trust list admits this caller.
 * Exact ARN match only ("…:user/broker" must not admit "…:user/broker2"); "*" admits configured
 * callers but not sessions this emulator issued; a listed role ARN admits that role's sessions
 * (same partition, account and name — the assumed-role ARN carries no path, as in AWS).
 */
export function isTrusted(role: EmulatorRole, callerArn: string, configuredCaller: boolean): boolean {
  const session = parseAssumedRoleArn(callerArn);
  return role.trustedPrincipals.some((principal) => {
    if (principal === '*') return configuredCaller;
    if (principal === callerArn) return true;
    if (!session) return false;
    const trustedRole = parseRoleArn(principal);
    return (
      trustedRole !== undefined &&
      trustedRole.partition === session.partition &&
      trustedRole.account === session.account &&
      trustedRole.name === session.roleName
    );
  });
}
