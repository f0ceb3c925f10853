import type { NotificationType } from '@rolegate/core';
import type { OutboxChannel } from '@rolegate/db';

/**
 * One line of notification routing (NOTIFY_ROUTES, parsed in config.ts):
 * which notifications go to one target of one channel. A filter left out
 * matches everything; filters that are given must all match.
 */
export interface NotifyRoute {
  channel: OutboxChannel;
  /** A webhook URL, a comma-separated list of email addresses, or a Slack channel id. */
  target: string;
  /** Notification types (`request.created`, …). */
  events?: readonly NotificationType[] | undefined;
  /** Any of the request's approver groups (every stage), or for an escalation its escalateTo groups. */
  groups?: readonly string[] | undefined;
  /** AWS account ids. */
  accounts?: readonly string[] | undefined;
  /** Role names (the last part of the role ARN) or whole role ARNs. */
  roles?: readonly string[] | undefined;
}

export interface RoutedFacts {
  type: NotificationType;
  groups: readonly string[];
  accountId: string;
  roleArn: string;
}

/**
 * Whether `route` takes a notification. Exact matches only: the group
 * "ops" must not take "ops-readonly"'s requests, nor the role "Admin" the
 * role "AdminReadOnly"'s.
 */
export function routeMatches(route: NotifyRoute, f: RoutedFacts): boolean {
  if (route.events && !route.events.includes(f.type)) return false;
  if (route.groups && !route.groups.some((g) => f.groups.includes(g))) return false;
  if (route.accounts && !route.accounts.includes(f.accountId)) return false;
  if (route.roles) {
    const name = f.roleArn.slice(f.roleArn.lastIndexOf('/') + 1);
    if (!route.roles.some((r) => r === f.roleArn || r === name)) return false;
  }
  return true;
}
