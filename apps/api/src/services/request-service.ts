import {
  AppError,
  appRolesFor,
  currentStage,
  decideApproval,
  decideCancel,
  decideDenial,
  decideEnd,
  decideExtend,
  effectiveStatus,
  isApproverOf,
  isEntitled,
  mayView,
  policyOf,
  resolveWindowDuration,
  stagesOf,
  type MappingSource,
  type Principal,
  type RequestActor,
} from '@rolegate/core';
import { requestState, type AccessRequestRecord, type Announce, type RequestRepository } from '@rolegate/db';

export interface RequestServiceDeps {
  requests: RequestRepository;
  mappings: MappingSource;
  rbac: { adminGroups: string[]; auditorGroups: string[] };
  clock?: { now(): Date };
  /** The outbox rows each change announces (written in the change's transaction). */
  announce?: Announce;
}

/** What the caller may do with a request right now (for the screens; the server checks again on each call). */
export interface RequestView {
  request: AccessRequestRecord;
  status: ReturnType<typeof effectiveStatus>;
  progress: { stage: number; stages: number; needed: number };
  can: { approve: boolean; deny: boolean; cancel: boolean; end: boolean; extend: boolean };
}

/**
 * Access requests: filing (instant roles refuse, break-glass opens the window
 * at once), approving and denying (pure rules in core decide; the repository
 * applies them under a row lock), cancelling, ending and extending, and the
 * reads each person may make. Every change writes its append-only event in
 * the same transaction, so none can happen unrecorded.
 */
export function createRequestService(deps: RequestServiceDeps) {
  const now = () => (deps.clock ?? { now: () => new Date() }).now();
  const actorOf = (p: Principal): RequestActor => {
    const roles = appRolesFor(p.groups, deps.rbac);
    return { userId: p.userId, groups: p.groups, isAdmin: roles.includes('admin'), isAuditor: roles.includes('auditor') };
  };
  const ref = (p: Principal) => ({ id: p.userId, email: p.email });

  function view(r: AccessRequestRecord, viewer: RequestActor): RequestView {
    const t = now();
    const state = requestState(r);
    const status = effectiveStatus(state, t);
    const stages = stagesOf(r.policy);
    const stage = currentStage(state);
    const needed = stage < stages.length ? stages[stage]!.approvals - state.approvals.filter((a) => a.stage === stage).length : 0;
    const tryRule = (rule: () => unknown) => {
      try {
        rule();
        return true;
      } catch {
        return false;
      }
    };
    return {
      request: r,
      status,
      progress: { stage: Math.min(stage + 1, stages.length), stages: stages.length, needed },
      can: {
        approve: tryRule(() => decideApproval(state, viewer, t)),
        deny: tryRule(() => decideDenial(state, viewer, t)),
        cancel: tryRule(() => decideCancel(state, viewer, t)),
        end: tryRule(() => decideEnd(state, viewer, t)),
        extend: tryRule(() => decideExtend(state, viewer, t)),
      },
    };
  }

  /** @throws AppError NOT_FOUND (also for a request the caller may not see: its existence is not revealed) */
  async function visible(p: Principal, id: string): Promise<AccessRequestRecord> {
    const r = await deps.requests.findById(id);
    if (!r || !mayView(requestState(r), actorOf(p))) throw new AppError('NOT_FOUND', 'No such request');
    return r;
  }

  return {
    view: (r: AccessRequestRecord, p: Principal) => view(r, actorOf(p)),

    /**
     * Files a request for an approval role of the caller.
     * @throws AppError NOT_ENTITLED | NO_APPROVAL_NEEDED | BREAK_GLASS_NOT_ALLOWED | INVALID_DURATION | VALIDATION_FAILED
     */
    async create(p: Principal, input: { entitlementId: string; durationSeconds: number; reason: string; breakGlass?: boolean | undefined }) {
      const mapping = await deps.mappings.findById(input.entitlementId);
      if (!mapping || !isEntitled(p.groups, mapping)) throw new AppError('NOT_ENTITLED', 'You are not entitled to this role');
      const policy = policyOf(mapping);
      if (policy.access !== 'approval') throw new AppError('NO_APPROVAL_NEEDED', 'This role needs no approval: open it directly');
      const breakGlass = input.breakGlass === true;
      if (breakGlass && !policy.breakGlass) throw new AppError('BREAK_GLASS_NOT_ALLOWED', 'This role has no break-glass access');
      const durationSeconds = resolveWindowDuration(input.durationSeconds, mapping.maxDurationSeconds);
      const reason = input.reason.trim();
      if (reason === '') throw new AppError('VALIDATION_FAILED', 'reason: is required', { issues: [{ path: 'reason', message: 'reason is required' }] });
      const request = await deps.requests.create(
        {
          requester: ref(p),
          mappingId: mapping.id,
          accountId: mapping.accountId,
          roleArn: mapping.roleArn,
          durationSeconds,
          reason,
          policy,
          breakGlass,
        },
        deps.announce,
      );
      return view(request, actorOf(p));
    },

    /** @throws AppError NOT_FOUND */
    get: async (p: Principal, id: string) => view(await visible(p, id), actorOf(p)),

    /**
     * The caller's own requests (`mine`), or those whose policy names one of
     * the caller's groups as approvers (`approver`), with the requester's
     * recent history on that role for each pending one.
     */
    async list(
      p: Principal,
      q: { scope: 'mine' | 'approver'; status?: AccessRequestRecord['status'] | undefined; limit: number; cursor?: string | undefined },
    ) {
      const actor = actorOf(p);
      const page =
        q.scope === 'mine'
          ? await deps.requests.list({ requesterId: p.userId, limit: q.limit, cursor: q.cursor, ...(q.status ? { status: q.status } : {}) })
          : await deps.requests.list({ approverGroups: [...p.groups], limit: q.limit, cursor: q.cursor, ...(q.status ? { status: q.status } : {}) });
      const items = page.items.filter((r) => q.scope === 'mine' || isApproverOf(r.policy, p.groups));
      const withHistory = await Promise.all(
        items.map(async (r) => {
          const v = view(r, actor);
          if (q.scope !== 'approver') return { view: v };
          const history = await deps.requests.list({ requesterId: r.requester.id, mappingId: r.mappingId, limit: 6 });
          return {
            view: v,
            recent: history.items
              .filter((h) => h.id !== r.id)
              .slice(0, 5)
              .map((h) => view(h, actor)),
          };
        }),
      );
      return { items: withHistory, nextCursor: page.nextCursor };
    },

    /** Counts the caller's approval. @throws AppError NOT_FOUND | ALREADY_DECIDED | SELF_APPROVAL | ALREADY_APPROVED_BY_YOU | NOT_APPROVER */
    async approve(p: Principal, id: string, comment: string | undefined) {
      await visible(p, id);
      const actor = actorOf(p);
      const r = await deps.requests.transition(
        id,
        ref(p),
        (current, at) => {
          const { stage, approved } = decideApproval(requestState(current), actor, at);
          return { event: { type: 'approved', stage, comment: comment ?? null }, ...(approved ? { status: 'approved' as const, openWindow: {} } : {}) };
        },
        deps.announce,
      );
      return view(r, actor);
    },

    /** @throws AppError NOT_FOUND | ALREADY_DECIDED | SELF_APPROVAL | NOT_APPROVER */
    async deny(p: Principal, id: string, comment: string | undefined) {
      await visible(p, id);
      const actor = actorOf(p);
      const r = await deps.requests.transition(
        id,
        ref(p),
        (current, at) => {
          decideDenial(requestState(current), actor, at);
          return { event: { type: 'denied', comment: comment ?? null }, status: 'denied' };
        },
        deps.announce,
      );
      return view(r, actor);
    },

    /** @throws AppError NOT_FOUND | FORBIDDEN | ALREADY_DECIDED */
    async cancel(p: Principal, id: string) {
      await visible(p, id);
      const actor = actorOf(p);
      const r = await deps.requests.transition(
        id,
        ref(p),
        (current, at) => {
          decideCancel(requestState(current), actor, at);
          return { event: { type: 'cancelled' }, status: 'cancelled' };
        },
        deps.announce,
      );
      return view(r, actor);
    },

    /** Ends the window now: no new session is issued on it, and the sessions issued in it are revoked at AWS. @throws AppError NOT_FOUND | FORBIDDEN | REQUEST_NOT_ACTIVE */
    async end(p: Principal, id: string) {
      await visible(p, id);
      const actor = actorOf(p);
      const r = await deps.requests.transition(
        id,
        ref(p),
        (current, at) => {
          decideEnd(requestState(current), actor, at);
          // Ending early also ends the sessions issued in the window (docs/revocation.md).
          return { event: { type: 'ended' }, status: 'ended', endWindow: true, revokeGrants: { reason: 'access window ended early' } };
        },
        deps.announce,
      );
      return view(r, actor);
    },

    /**
     * Asks for more time: a new request linked to the open one, decided by the
     * policy of the role as it is now; once approved its window continues from
     * the end of the current one. @throws AppError NOT_FOUND | FORBIDDEN | REQUEST_NOT_ACTIVE | INVALID_DURATION
     */
    async extend(p: Principal, id: string, input: { durationSeconds: number; reason: string }) {
      const parent = await visible(p, id);
      const actor = actorOf(p);
      decideExtend(requestState(parent), actor, now());
      const mapping = await deps.mappings.findById(parent.mappingId);
      if (!mapping || !isEntitled(p.groups, mapping)) throw new AppError('NOT_ENTITLED', 'You are no longer entitled to this role');
      const policy = policyOf(mapping);
      if (policy.access !== 'approval') throw new AppError('NO_APPROVAL_NEEDED', 'This role needs no approval any more: open it directly');
      const durationSeconds = resolveWindowDuration(input.durationSeconds, mapping.maxDurationSeconds);
      const request = await deps.requests.create(
        {
          requester: ref(p),
          mappingId: mapping.id,
          accountId: mapping.accountId,
          roleArn: mapping.roleArn,
          durationSeconds,
          reason: input.reason.trim(),
          policy,
          breakGlass: false,
          extendsRequestId: parent.id,
        },
        deps.announce,
      );
      return view(request, actor);
    },

    /** Break-glass requests whose review is open (or closed), oldest due first. */
    async reviews(p: Principal, status: 'open' | 'closed') {
      const page = await deps.requests.list({ reviewOpen: status === 'open', limit: 200 });
      const t = now();
      return page.items
        .filter((r) => r.breakGlass && r.review?.status === status)
        .sort((a, b) => a.review!.dueAt.getTime() - b.review!.dueAt.getTime())
        .map((r) => ({ view: view(r, actorOf(p)), overdue: r.review!.status === 'open' && r.review!.dueAt.getTime() <= t.getTime() }));
    },

    /** Closes a break-glass review with a note. @throws AppError NOT_FOUND | REVIEW_CLOSED */
    async closeReview(p: Principal, id: string, note: string) {
      const actor = actorOf(p);
      const r = await deps.requests.transition(
        id,
        ref(p),
        (current) => {
          if (!current.breakGlass || !current.review) throw new AppError('NOT_FOUND', 'No such break-glass request');
          if (current.review.status === 'closed') throw new AppError('REVIEW_CLOSED', 'This review is already closed');
          return { event: { type: 'review-closed', comment: note }, closeReview: { note } };
        },
        deps.announce,
      );
      return view(r, actor);
    },
  };
}

export type RequestService = ReturnType<typeof createRequestService>;
