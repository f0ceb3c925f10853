import { parseRoleArn, partitionOfRegion } from '@rolegate/aws-names';
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

/**
 * Whether a role matches the portal's search: every word of the query is
 * found (any case) in its account name, account id, role name or
 * description. Only narrows what is shown; the server decides what may be used.
 */
export function matchesSearch(e: Entitlement, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = `${e.accountName} ${e.accountId} ${e.roleName} ${e.description}`.toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** Console home of a region, in the role's partition; undefined when the region is not in that partition (AWS would refuse it). */
export function consoleDestination(roleArn: string, region: string | null): string | undefined {
  if (!region) return undefined;
  const partition = parseRoleArn(roleArn)?.partition ?? 'aws';
  if (partitionOfRegion(region) !== partition) return undefined;
  if (partition === 'aws-us-gov') return `https://console.amazonaws-us-gov.com/console/home?region=${region}`;
  if (partition === 'aws-cn') return `https://console.amazonaws.cn/console/home?region=${region}`;
  return `https://${region}.console.aws.amazon.com/console/home?region=${region}`;
}

/** The bookmarkable deep link `/console/<account>/<role>?duration=…&destination=…` (same origin: opens straight away). */
export function consoleLink(
  e: Pick<Entitlement, 'accountId' | 'roleName' | 'roleArn'>,
  opts: { duration?: number | undefined; region?: string | null },
): string {
  const params = new URLSearchParams();
  if (opts.duration !== undefined) params.set('duration', String(opts.duration));
  const destination = consoleDestination(e.roleArn, opts.region ?? null);
  if (destination) params.set('destination', destination);
  const qs = params.toString();
  return `/console/${encodeURIComponent(e.accountId)}/${encodeURIComponent(e.roleName)}${qs ? `?${qs}` : ''}`;
}

/** Console regions offered in the portal (the person's choice is kept on the server). */
export const CONSOLE_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'us-gov-west-1',
  'us-gov-east-1',
  'cn-north-1',
  'cn-northwest-1',
] as const;
