import { parseRoleArn } from '@rolegate/aws-names';
import { notificationFor } from '@rolegate/core';
import type { Announce, OutboxMessage } from '@rolegate/db';

/** Where demo notifications go: nowhere but the outbox page. */
export const DEMO_TARGET = 'demo:outbox-page';

/**
 * The outbox rows a request change announces: one per configured webhook
 * (more channels route here). The payload is fixed when the change commits,
 * so every retry delivers the same body under the same delivery id.
 */
export function createAnnouncer(cfg: { publicUrl: string; webhookUrls: readonly string[]; demo?: boolean }): Announce {
  // The demo sends nowhere: its notifications go to DEMO_TARGET, shown on the outbox page.
  const targets = cfg.webhookUrls.length > 0 ? cfg.webhookUrls : cfg.demo ? [DEMO_TARGET] : [];
  return (r, event) => {
    const type = notificationFor(event.type, r.status);
    if (!type || targets.length === 0) return [];
    const payload = {
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
        comment: event.comment ?? null,
        windowEndsAt: r.windowEndsAt?.toISOString() ?? null,
        url: `${cfg.publicUrl}/requests/${r.id}`,
        ...(type === 'request.escalated' ? { escalateTo: r.policy.escalateTo } : {}),
      },
    };
    return targets.map((url): OutboxMessage => ({ eventType: type, requestId: r.id, channel: 'webhook', target: url, payload }));
  };
}
