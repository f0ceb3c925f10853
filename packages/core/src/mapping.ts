import type { AccessPolicyInput } from './access-policy.js';

/** A group → role mapping, as stored (policy fields absent: instant). */
export interface RoleMapping extends AccessPolicyInput {
  id: string;
  group: string;
  accountId: string;
  accountName: string;
  roleArn: string;
  maxDurationSeconds: number;
  requireReason: boolean;
  description: string;
  enabled: boolean;
}

/**
 * Exact group match. No case folding, no trimming and no splitting: a
 * principal in the group "dev,admins" must not match a mapping for "admins",
 * and "Admins" is not "admins".
 */
export function isEntitled(groups: readonly string[], mapping: Pick<RoleMapping, 'group' | 'enabled'>): boolean {
  return mapping.enabled && groups.includes(mapping.group);
}

/** The mappings the given groups entitle, in a stable order (account, role). */
export function entitlementsFor<M extends RoleMapping>(groups: readonly string[], mappings: readonly M[]): M[] {
  return mappings
    .filter((m) => isEntitled(groups, m))
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.roleArn.localeCompare(b.roleArn) || a.id.localeCompare(b.id));
}
