import type { Entitlement } from '@rolegate/contract';

export interface AccountGroup {
  accountId: string;
  accountName: string;
  roles: Entitlement[];
}

/** Entitlements grouped by AWS account, accounts by name, roles by name. */
export function groupByAccount(items: readonly Entitlement[]): AccountGroup[] {
  const byAccount = new Map<string, AccountGroup>();
  for (const item of items) {
    let group = byAccount.get(item.accountId);
    if (!group) {
      group = { accountId: item.accountId, accountName: item.accountName, roles: [] };
      byAccount.set(item.accountId, group);
    }
    group.roles.push(item);
  }
  const groups = [...byAccount.values()];
  groups.sort((a, b) => a.accountName.localeCompare(b.accountName) || a.accountId.localeCompare(b.accountId));
  for (const g of groups) g.roles.sort((a, b) => a.roleName.localeCompare(b.roleName));
  return groups;
}

/** Stable suffix for test ids and element ids: `<accountId>-<roleName>`. */
export const roleKey = (e: Pick<Entitlement, 'accountId' | 'roleName'>): string => `${e.accountId}-${e.roleName}`;
