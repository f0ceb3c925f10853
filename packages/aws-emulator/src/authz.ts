import { parseAssumedRoleArn } from './arn.js';
import type { Principal } from './auth.js';
import type { EmulatorContext } from './context.js';
import { AwsError } from './errors.js';
import { parsePolicyDocument } from './policy/document.js';
import type { ContextValue } from './policy/conditions.js';
import { evaluatePolicies, type Decision, type NamedPolicy } from './policy/evaluate.js';
import type { IssuedSession } from './store.js';

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The role ARN behind an assumed-role ARN (path unknown, so none), or undefined for other principals. */
export function roleArnOfPrincipal(caller: Principal): string | undefined {
  if (caller.session) return caller.session.roleArn;
  const a = parseAssumedRoleArn(caller.arn);
  return a ? `arn:${a.partition}:iam::${a.account}:role/${a.roleName}` : undefined;
}

/**
 * The global condition keys of a request by this caller, as IAM puts them in the request context:
 * aws:PrincipalArn (the role ARN for a role session), aws:PrincipalAccount, aws:PrincipalType, aws:userid,
 * aws:username (IAM users), aws:CurrentTime, aws:EpochTime, aws:SecureTransport, aws:RequestedRegion and,
 * for sessions this emulator issued, aws:TokenIssueTime, aws:SourceIdentity and aws:PrincipalTag/KEY.
 */
export function principalContext(ctx: EmulatorContext, caller: Principal, region: string): Record<string, ContextValue | undefined> {
  const now = ctx.now();
  const roleArn = roleArnOfPrincipal(caller);
  const out: Record<string, ContextValue | undefined> = {
    'aws:PrincipalArn': roleArn ?? caller.arn,
    'aws:PrincipalAccount': caller.account,
    'aws:PrincipalType': roleArn ? 'AssumedRole' : 'User',
    'aws:userid': caller.userId,
    'aws:username': roleArn ? undefined : caller.arn.slice(caller.arn.lastIndexOf('/') + 1),
    'aws:CurrentTime': isoSeconds(now),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:SecureTransport': 'false',
    'aws:RequestedRegion': region,
    'aws:ViaAWSService': 'false',
    'aws:PrincipalIsAWSService': 'false',
  };
  if (caller.session) Object.assign(out, sessionContext(caller.session));
  return out;
}

/** The keys a session carries from its AssumeRole: token issue time, source identity, session tags. */
export function sessionContext(s: IssuedSession): Record<string, ContextValue | undefined> {
  const out: Record<string, ContextValue | undefined> = {
    'aws:TokenIssueTime': isoSeconds(s.issuedAt),
    'aws:SourceIdentity': s.sourceIdentity,
  };
  for (const t of s.tags) out[`aws:PrincipalTag/${t.key}`] = t.value;
  return out;
}

/** The identity policies evaluated for a caller; undefined when the caller is unrestricted (a configured caller without policies). */
export function identityPoliciesOf(ctx: EmulatorContext, caller: Principal): NamedPolicy[] | undefined {
  if (caller.session) {
    const role = ctx.iam.roles.get(caller.session.roleArn);
    // A deleted role's sessions can do nothing.
    return role ? ctx.iam.identityPolicies(role) : [];
  }
  const configured = [...ctx.callers.values()].find((c) => c.arn === caller.arn && c.policies);
  if (!configured?.policies) return undefined;
  return Object.entries(configured.policies).map(([name, doc]) => ({
    name: `${caller.arn} policy ${name}`,
    document: parsePolicyDocument(typeof doc === 'string' ? doc : JSON.stringify(doc)),
  }));
}

/** IAM's decision for this caller, action and resource; an unrestricted caller is always allowed. */
export function decide(
  ctx: EmulatorContext,
  caller: Principal,
  action: string,
  resource: string,
  region: string,
  extra: Record<string, ContextValue | undefined> = {},
): Decision {
  const policies = identityPoliciesOf(ctx, caller);
  if (!policies) return { effect: 'Allow', policy: 'unrestricted caller' };
  return evaluatePolicies(policies, { action, resource, context: { ...principalContext(ctx, caller, region), ...extra } });
}

/** AWS's AccessDenied message for an identity-policy refusal. */
export function deniedMessage(callerArn: string, action: string, resource: string, decision: Decision): string {
  const why =
    decision.effect === 'ExplicitDeny'
      ? `with an explicit deny in an identity-based policy: ${decision.policy}`
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/** Throws 403 AccessDenied unless the caller's identity policies allow the action on the resource. */
export function requireAllowed(
  ctx: EmulatorContext,
  caller: Principal,
  action: string,
  resource: string,
  region: string,
  extra: Record<string, ContextValue | undefined> = {},
): void {
  const decision = decide(ctx, caller, action, resource, region, extra);
  if (decision.effect !== 'Allow') throw new AwsError(403, 'AccessDenied', deniedMessage(caller.arn, action, resource, decision));
}
