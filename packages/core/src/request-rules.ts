import { AppError } from './errors.js';
import { isApproverOf, stagesOf, type AccessPolicy } from './access-policy.js';

/** What a request is, as stored. `expired` and `ended` are also derived from the clock (see effectiveStatus). */
export type RequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'ended' | 'revoked';

/** The parts of a request the lifecycle rules read. */
export interface RequestState {
  requesterId: string;
  status: RequestStatus;
  policy: AccessPolicy;
  /** A pending request expires at this moment. */
  pendingUntil: Date;
  windowEndsAt: Date | null;
  /** Approvals counted so far (one per person; `stage` is 0-based). */
  approvals: readonly { userId: string; stage: number }[];
}

/** Someone acting on a request. */
export interface RequestActor {
  userId: string;
  groups: readonly string[];
  isAdmin: boolean;
  isAuditor?: boolean;
}

/**
 * The status a reader should see: a pending request past its deadline is
 * `expired`, and an approved one whose window has closed is `ended`, whether
 * or not the periodic sweep has written that down yet — so no decision ever
 * depends on the sweep having run.
 */
export function effectiveStatus(r: Pick<RequestState, 'status' | 'pendingUntil' | 'windowEndsAt'>, now: Date): RequestStatus {
  if (r.status === 'pending' && now.getTime() >= r.pendingUntil.getTime()) return 'expired';
  if (r.status === 'approved' && r.windowEndsAt && now.getTime() >= r.windowEndsAt.getTime()) return 'ended';
  return r.status;
}

function assertPending(r: RequestState, now: Date): void {
  const status = effectiveStatus(r, now);
  if (status !== 'pending') throw new AppError('ALREADY_DECIDED', `This request is already ${status}`, { status });
}

/** The 0-based stage waiting for approvals: the first whose quorum is not met yet. */
export function currentStage(r: Pick<RequestState, 'policy' | 'approvals'>): number {
  const stages = stagesOf(r.policy);
  for (let i = 0; i < stages.length; i++) {
    if (r.approvals.filter((a) => a.stage === i).length < stages[i]!.approvals) return i;
  }
  return stages.length;
}

/**
 * Counts one approval, or says why it does not count. The rules:
 * - the requester never approves their own request (SELF_APPROVAL), whatever
 *   groups they are in — otherwise an approver could grant themselves;
 * - one person counts once, across all stages (ALREADY_APPROVED_BY_YOU): a
 *   quorum of 2 must be two people, and stage 2 must not be stage 1's person
 *   again just because they are in both groups;
 * - the approver must be in a group of the stage now waiting (exact match).
 * @returns the stage counted and whether the request is now approved.
 * @throws AppError ALREADY_DECIDED | SELF_APPROVAL | ALREADY_APPROVED_BY_YOU | NOT_APPROVER
 */
export function decideApproval(r: RequestState, approver: RequestActor, now: Date): { stage: number; approved: boolean } {
  assertPending(r, now);
  if (approver.userId === r.requesterId) throw new AppError('SELF_APPROVAL', 'You cannot approve your own request');
  if (r.approvals.some((a) => a.userId === approver.userId)) {
    throw new AppError('ALREADY_APPROVED_BY_YOU', 'Your approval is already counted; another approver must decide');
  }
  const stages = stagesOf(r.policy);
  const stage = currentStage(r);
  const groups = stages[stage]?.approvers ?? [];
  if (!groups.some((g) => approver.groups.includes(g))) {
    throw new AppError('NOT_APPROVER', stages.length > 1 ? `Stage ${stage + 1} is approved by ${groups.join(', ')}` : 'You are not an approver of this role');
  }
  const after = { ...r, approvals: [...r.approvals, { userId: approver.userId, stage }] };
  return { stage, approved: currentStage(after) >= stages.length };
}

/** A deny by an approver of any stage (not the requester, who cancels instead). @throws AppError ALREADY_DECIDED | SELF_APPROVAL | NOT_APPROVER */
export function decideDenial(r: RequestState, approver: RequestActor, now: Date): void {
  assertPending(r, now);
  if (approver.userId === r.requesterId) throw new AppError('SELF_APPROVAL', 'You cannot decide your own request; cancel it instead');
  if (!isApproverOf(r.policy, approver.groups)) throw new AppError('NOT_APPROVER', 'You are not an approver of this role');
}

/** Only the requester cancels, and only while pending. @throws AppError FORBIDDEN | ALREADY_DECIDED */
export function decideCancel(r: RequestState, actor: RequestActor, now: Date): void {
  if (actor.userId !== r.requesterId) throw new AppError('FORBIDDEN', 'Only the requester can cancel a request');
  assertPending(r, now);
}

/**
 * Ending a window early: the requester, an approver of the role or an admin,
 * while the window is open. @throws AppError FORBIDDEN | REQUEST_NOT_ACTIVE
 */
export function decideEnd(r: RequestState, actor: RequestActor, now: Date): void {
  if (actor.userId !== r.requesterId && !actor.isAdmin && !isApproverOf(r.policy, actor.groups)) {
    throw new AppError('FORBIDDEN', 'Only the requester, an approver of the role or an admin can end this window');
  }
  const status = effectiveStatus(r, now);
  if (status !== 'approved') throw new AppError('REQUEST_NOT_ACTIVE', `This request is ${status}; only an open window can be ended`, { status });
}

/** Extending: the requester, on an open window. @throws AppError FORBIDDEN | REQUEST_NOT_ACTIVE */
export function decideExtend(r: RequestState, actor: RequestActor, now: Date): void {
  if (actor.userId !== r.requesterId) throw new AppError('FORBIDDEN', 'Only the requester can extend a window');
  const status = effectiveStatus(r, now);
  if (status !== 'approved') throw new AppError('REQUEST_NOT_ACTIVE', `This request is ${status}; only an open window can be extended`, { status });
}

/** Who may read a request: its requester, approvers of its role, admins and auditors. */
export function mayView(r: Pick<RequestState, 'requesterId' | 'policy'>, viewer: RequestActor): boolean {
  return viewer.userId === r.requesterId || viewer.isAdmin || viewer.isAuditor === true || isApproverOf(r.policy, viewer.groups);
}

/**
 * The session length for a grant inside an access window: the validated
 * duration, clipped to the time the window has left, so no STS session
 * outlives the approval. Under 900 s left (AWS's minimum) nothing can be
 * issued without outliving the window: WINDOW_ENDING (extend instead).
 * @throws AppError WINDOW_ENDING
 */
export function clipToWindow(durationSeconds: number, windowEndsAt: Date, now: Date, minSeconds = 900): number {
  const left = Math.floor((windowEndsAt.getTime() - now.getTime()) / 1000);
  if (left < minSeconds) {
    throw new AppError('WINDOW_ENDING', 'Less than 15 minutes of the access window remain; extend it to get a new session', {
      windowEndsAt: windowEndsAt.toISOString(),
    });
  }
  return Math.min(durationSeconds, left);
}

/**
 * The shortest access window a request may ask for. AWS's shortest session
 * is 900 s and no session may outlive its window, so a window of exactly
 * 900 s could never issue one; 20 minutes leaves five to use it.
 */
export const MIN_WINDOW_SECONDS = 1200;

/** The window length of a request: validated like a session (never raised), and at least MIN_WINDOW_SECONDS. @throws AppError INVALID_DURATION */
export function resolveWindowDuration(requested: number, mappingMaxSeconds: number): number {
  if (!Number.isSafeInteger(requested) || requested < MIN_WINDOW_SECONDS || requested > mappingMaxSeconds) {
    throw new AppError('INVALID_DURATION', `durationSeconds must be between ${MIN_WINDOW_SECONDS} and ${mappingMaxSeconds} for this role`, {
      min: MIN_WINDOW_SECONDS,
      max: mappingMaxSeconds,
    });
  }
  return requested;
}
