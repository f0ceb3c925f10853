import { policyOf, type GrantRecord, type RoleMapping } from '@rolegate/core';
import { parseRoleArn } from '@rolegate/aws-names';
import type { AccessRequest, Entitlement, Grant } from '@rolegate/contract';
import type { RequestView } from '../services/request-service.js';

/** A grant as the HTTP contract shows it. */
export function grantDto(g: GrantRecord): Grant {
  return {
    ...g,
    createdAt: g.createdAt.toISOString(),
    expiresAt: g.expiresAt ? g.expiresAt.toISOString() : null,
  };
}

/** A mapping as an entitlement of the caller. */
export function entitlementDto(
  m: RoleMapping,
  maxDurationSeconds = m.maxDurationSeconds,
  window: { requestId: string; endsAt: Date } | null = null,
): Entitlement {
  const policy = policyOf(m);
  return {
    access: policy.access,
    breakGlass: policy.breakGlass,
    window: window ? { requestId: window.requestId, endsAt: window.endsAt.toISOString() } : null,
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

/** A request as the HTTP contract shows it (status as the reader should see it now). */
export function requestDto(v: RequestView): AccessRequest {
  const r = v.request;
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    requester: { ...r.requester },
    mappingId: r.mappingId,
    accountId: r.accountId,
    roleArn: r.roleArn,
    roleName: parseRoleArn(r.roleArn)?.roleName ?? r.roleArn,
    durationSeconds: r.durationSeconds,
    reason: r.reason,
    breakGlass: r.breakGlass,
    status: v.status,
    approvals: r.events
      .filter((e) => e.type === 'approved' && e.actor.id)
      .map((e) => ({ by: { id: e.actor.id!, email: e.actor.email }, at: e.at.toISOString(), stage: (e.stage ?? 0) + 1, comment: e.comment })),
    progress: v.progress,
    pendingUntil: r.pendingUntil.toISOString(),
    decidedAt: iso(r.decidedAt),
    windowStartsAt: iso(r.windowStartsAt),
    windowEndsAt: iso(r.windowEndsAt),
    extendsRequestId: r.extendsRequestId,
    review: r.review ? { status: r.review.status, dueAt: r.review.dueAt.toISOString(), by: r.review.by, note: r.review.note } : null,
    events: r.events.map((e) => ({
      at: e.at.toISOString(),
      type: e.type,
      by: { ...e.actor },
      stage: e.stage === null ? null : e.stage + 1,
      comment: e.comment,
    })),
    can: v.can,
  };
}
