import type { AssumeRoleInput } from './assume-role-params.js';
import type { Principal } from './auth.js';
import { principalContext, roleArnOfPrincipal } from './authz.js';
import type { EmulatorContext } from './context.js';
import type { RoleState } from './iam-state.js';
import type { ContextValue } from './policy/conditions.js';
import { evaluatePolicies } from './policy/evaluate.js';

/** The STS actions an AssumeRole call needs: tags need sts:TagSession, a source identity sts:SetSourceIdentity. */
export function requiredTrustActions(input: AssumeRoleInput): string[] {
  return ['sts:AssumeRole', ...(input.sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : []), ...(input.tags.length > 0 ? ['sts:TagSession'] : [])];
}

/** The request context of an AssumeRole call: the caller's keys plus sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity, aws:RequestTag/*, aws:TagKeys. */
export function assumeRoleContext(ctx: EmulatorContext, caller: Principal, input: AssumeRoleInput): Record<string, ContextValue | undefined> {
  const out: Record<string, ContextValue | undefined> = {
    ...principalContext(ctx, caller, ctx.region),
    'sts:ExternalId': input.externalId,
    'sts:RoleSessionName': input.roleSessionName,
    'sts:SourceIdentity': input.sourceIdentity,
    'aws:TagKeys': input.tags.length > 0 ? input.tags.map((t) => t.key) : undefined,
    'sts:TransitiveTagKeys': input.transitiveTagKeys.length > 0 ? input.transitiveTagKeys : undefined,
  };
  for (const t of input.tags) out[`aws:RequestTag/${t.key}`] = t.value;
  return out;
}

/**
 * The first required action the role's trust policy does not allow this caller (undefined: all allowed).
 * Trust is decided by the trust policy alone: its Principal must name the caller (exact ARN, its role for
 * a role session, its account, or "*"), its Action must cover each required action, its Condition must hold.
 */
export function untrustedAction(ctx: EmulatorContext, role: RoleState, caller: Principal, input: AssumeRoleInput): string | undefined {
  const roleArn = roleArnOfPrincipal(caller);
  const principal = { arn: caller.arn, account: caller.account, ...(roleArn ? { roleArn } : {}) };
  const context = assumeRoleContext(ctx, caller, input);
  return requiredTrustActions(input).find(
    (action) => evaluatePolicies([{ name: 'trust policy', document: role.trust }], { action, resource: role.arn, principal, context }).effect !== 'Allow',
  );
}
