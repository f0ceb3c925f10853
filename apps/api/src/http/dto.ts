import type { GrantRecord, RoleMapping } from '@rolegate/core';
import { parseRoleArn } from '@rolegate/aws-names';
import type { Entitlement, Grant } from '@rolegate/contract';

/** A grant as the HTTP contract shows it. */
export function grantDto(g: GrantRecord): Grant {
  return {
    ...g,
    createdAt: g.createdAt.toISOString(),
    expiresAt: g.expiresAt ? g.expiresAt.toISOString() : null,
  };
}

/** A mapping as an entitlement of the caller. */
export function entitlementDto(m: RoleMapping, maxDurationSeconds = m.maxDurationSeconds): Entitlement {
  return {
    id: m.id,
    accountId: m.accountId,
    accountName: m.accountName,
    roleName: parseRoleArn(m.roleArn)?.roleName ?? m.roleArn,
    roleArn: m.roleArn,
    description: m.description,
    maxDurationSeconds,
    requireReason: m.requireReason,
  };
}
