import { parseRoleArn } from '@rolegate/aws-names';
import { approverGroupsOf, notificationFor, type NotificationType } from '@rolegate/core';
import type { AccessRequestRecord, Announce, OutboxChannel, OutboxMessage } from '@rolegate/db';
import { routeMatches, type NotifyRoute } from './routing.js';

/** Where demo notifications go: nowhere but the outbox page (one row per channel: what each would have been sent). */
export const DEMO_TARGET = 'demo:outbox-page';
export const DEMO_ROUTES: readonly NotifyRoute[] = [
  { channel: 'webhook', target: DEMO_TARGET },
  { channel: 'email', target: 'approvers@rolegate.demo' },
  { channel: 'slack', target: 'demo-access-requests' },
];

/** What every channel's row carries: fixed when the change commits, so each retry sends the same thing. */
export interface NotificationPayload {
  type: NotificationType;
  timestamp: string;
  data: {
    requestId: string;
    status: string;
    requester: string;
    accountId: string;
    roleArn: string;
    roleName: string;
    durationSeconds: number;
    reason: string;
    breakGlass: boolean;
    comment: string | null;
    windowEndsAt: string | null;
    url: string;
    escalateTo?: string[];
    reviewDueAt?: string | null;
  };
}

export function payloadOf(type: NotificationType, r: AccessRequestRecord, publicUrl: string, comment: string | null): NotificationPayload {
  return {
    type,
    timestamp: new Date().toISOString(),
    data: {
      requestId: r.id,
      status: r.status,
      requester: r.requester.email,
      accountId: r.accountId,
      roleArn: r.roleArn,
      roleName: parseRoleArn(r.roleArn)?.roleName ?? r.roleArn,
      durationSeconds: r.durationSeconds,
      reason: r.reason,
      breakGlass: r.breakGlass,
      comment,
      windowEndsAt: r.windowEndsAt?.toISOString() ?? null,
      url: `${publicUrl}/requests/${r.id}`,
      ...(type === 'request.escalated' ? { escalateTo: r.policy.escalateTo } : {}),
      ...(type === 'review.overdue' ? { reviewDueAt: r.review?.dueAt.toISOString() ?? null } : {}),
    },
  };
}

/**
 * The outbox rows a request change announces: one per route whose filters
 * match (event type, approver or escalation groups, account, role), plus
 * the security routes for every break-glass and overdue review whatever the
 * other routes say. Each (channel, target) gets one row at most. The payload
 * is fixed when the change commits, so every retry delivers the same body
 * under the same delivery id.
 */
export function createAnnouncer(cfg: { publicUrl: string; routes: readonly NotifyRoute[]; securityRoutes?: readonly NotifyRoute[]; demo?: boolean }): Announce {
  const anyRoute = cfg.routes.length > 0 || (cfg.securityRoutes?.length ?? 0) > 0;
  // The demo sends nowhere: its notifications go to DEMO_TARGET, shown on the outbox page.
  const routes: readonly NotifyRoute[] = anyRoute ? cfg.routes : cfg.demo ? DEMO_ROUTES : [];
  return (r, event) => {
    const type = notificationFor(event.type, r.status);
    if (!type) return [];
    const facts = {
      type,
      groups: [...approverGroupsOf(r.policy), ...(type === 'request.escalated' ? r.policy.escalateTo : [])],
      accountId: r.accountId,
      roleArn: r.roleArn,
    };
    const picked = new Map<string, { channel: OutboxChannel; target: string }>();
    for (const route of routes) if (routeMatches(route, facts)) picked.set(`${route.channel} ${route.target}`, route);
    // The security channel hears every break-glass at once, and every review that went overdue.
    if (type === 'request.break_glass' || type === 'review.overdue' || (r.breakGlass && type === 'review.closed')) {
      for (const route of cfg.securityRoutes ?? []) picked.set(`${route.channel} ${route.target}`, route);
    }
    if (picked.size === 0) return [];
    const payload = payloadOf(type, r, cfg.publicUrl, event.comment ?? null) as unknown as Record<string, unknown>;
    return [...picked.values()].map((t): OutboxMessage => ({ eventType: type, requestId: r.id, channel: t.channel, target: t.target, payload }));
  };
}

/** The announcer the configuration describes (the request service's and the sweepers'). */
export const announcerFor = (config: {
  publicUrl: string;
  demo: boolean;
  notify: { routes: readonly NotifyRoute[]; securityRoutes: readonly NotifyRoute[] };
}): Announce => createAnnouncer({ publicUrl: config.publicUrl, routes: config.notify.routes, securityRoutes: config.notify.securityRoutes, demo: config.demo });
