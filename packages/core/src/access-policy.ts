import type { FieldIssue } from './admin-rules.js';
import { groupProblem } from './admin-rules.js';

/** How a mapping grants access: at once (`instant`), or after approval (`approval`). */
export type AccessMode = 'instant' | 'approval';

/** One approval stage: `approvals` distinct people from `approvers` (IdP groups, exact match). */
export interface ApprovalStage {
  approvers: string[];
  approvals: number;
}

/** The approval policy of a mapping. Defaults keep a mapping instant. */
export interface AccessPolicy {
  access: AccessMode;
  approvers: string[];
  approvals: number;
  /** Ordered stages; empty means one stage of `approvers` / `approvals`. */
  stages: ApprovalStage[];
  /** A pending request expires after this long. */
  pendingTimeoutSeconds: number;
  /** Notify `escalateTo` when a request is still pending after this long (null: never). */
  escalateAfterSeconds: number | null;
  escalateTo: string[];
  /** The requester may skip approval with a reason; the grant then enters the review queue. */
  breakGlass: boolean;
  /** A break-glass review must be closed within this long. */
  reviewWithinSeconds: number;
  /** How many times one window may be extended without approval (0: every extension is decided like a request). */
  extensionsWithoutApproval: number;
}

export const DEFAULT_ACCESS_POLICY: Readonly<AccessPolicy> = Object.freeze({
  access: 'instant',
  approvers: [],
  approvals: 1,
  stages: [],
  pendingTimeoutSeconds: 86_400,
  escalateAfterSeconds: null,
  escalateTo: [],
  breakGlass: false,
  reviewWithinSeconds: 86_400,
  extensionsWithoutApproval: 0,
});

/** The policy fields of a mapping, as optional inputs (absent → default). */
export type AccessPolicyInput = Partial<AccessPolicy>;

/** The full policy of a mapping-like object whose policy fields may be absent (absent → default). */
export function policyOf(m: AccessPolicyInput): AccessPolicy {
  const d = DEFAULT_ACCESS_POLICY;
  return {
    access: m.access ?? d.access,
    approvers: [...(m.approvers ?? d.approvers)],
    approvals: m.approvals ?? d.approvals,
    stages: (m.stages ?? d.stages).map((s) => ({ approvers: [...s.approvers], approvals: s.approvals })),
    pendingTimeoutSeconds: m.pendingTimeoutSeconds ?? d.pendingTimeoutSeconds,
    escalateAfterSeconds: m.escalateAfterSeconds ?? d.escalateAfterSeconds,
    escalateTo: [...(m.escalateTo ?? d.escalateTo)],
    breakGlass: m.breakGlass ?? d.breakGlass,
    reviewWithinSeconds: m.reviewWithinSeconds ?? d.reviewWithinSeconds,
    extensionsWithoutApproval: m.extensionsWithoutApproval ?? d.extensionsWithoutApproval,
  };
}

/** The stages a request of this policy goes through, in order (the single stage when `stages` is empty). */
export function stagesOf(p: Pick<AccessPolicy, 'approvers' | 'approvals' | 'stages'>): ApprovalStage[] {
  return p.stages.length > 0 ? p.stages : [{ approvers: p.approvers, approvals: p.approvals }];
}

/** Every group that approves at some stage (exact names). */
export function approverGroupsOf(p: AccessPolicy): string[] {
  return [...new Set(stagesOf(p).flatMap((s) => s.approvers))];
}

/** True when someone in `groups` approves at some stage of `p` (exact group match, like entitlements). */
export function isApproverOf(p: AccessPolicy, groups: readonly string[]): boolean {
  return p.access === 'approval' && approverGroupsOf(p).some((g) => groups.includes(g));
}

const MAX_APPROVALS = 10;
const MAX_STAGES = 5;
/** Extensions without approval: a handful at most, or the approval would mean little. */
const MAX_FREE_EXTENSIONS = 10;
const MAX_SECONDS = 30 * 86_400;

function secondsProblem(v: number, min: number): string | null {
  if (!Number.isSafeInteger(v)) return 'must be whole seconds';
  if (v < min || v > MAX_SECONDS) return `must be between ${min} and ${MAX_SECONDS} seconds`;
  return null;
}

function groupsIssues(path: string, groups: readonly string[], add: (path: string, problem: string | null) => void) {
  if (groups.length > 50) add(path, 'must list at most 50 groups');
  groups.forEach((g, i) => add(`${path}.${i}`, groupProblem(g)));
}

/**
 * Every problem of a policy, each naming its field. The rules that stop a
 * policy from granting less review than it claims: an approval mapping needs
 * at least one approver group at every stage (an empty list would leave
 * requests pending forever, or worse be read as "anyone"); N is at least 1;
 * break-glass only exists on approval mappings (on an instant one it would be
 * a review queue nobody asked for).
 */
export function policyIssues(input: AccessPolicyInput): FieldIssue[] {
  const p = policyOf(input);
  const issues: FieldIssue[] = [];
  const add = (path: string, problem: string | null) => {
    if (problem) issues.push({ path, message: `${path} ${problem}` });
  };
  if (p.access !== 'instant' && p.access !== 'approval') add('access', 'must be instant or approval');
  const countProblem = (n: number) => (!Number.isSafeInteger(n) || n < 1 || n > MAX_APPROVALS ? `must be a whole number from 1 to ${MAX_APPROVALS}` : null);
  add('approvals', countProblem(p.approvals));
  groupsIssues('approvers', p.approvers, add);
  groupsIssues('escalateTo', p.escalateTo, add);
  if (p.stages.length > MAX_STAGES) add('stages', `must have at most ${MAX_STAGES} stages`);
  p.stages.forEach((s, i) => {
    add(`stages.${i}.approvals`, countProblem(s.approvals));
    groupsIssues(`stages.${i}.approvers`, s.approvers, add);
    if (s.approvers.length === 0) add(`stages.${i}.approvers`, 'must name at least one group');
  });
  add('pendingTimeoutSeconds', secondsProblem(p.pendingTimeoutSeconds, 60));
  add('reviewWithinSeconds', secondsProblem(p.reviewWithinSeconds, 60));
  const n = p.extensionsWithoutApproval;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_FREE_EXTENSIONS) add('extensionsWithoutApproval', `must be a whole number from 0 to ${MAX_FREE_EXTENSIONS}`);
  if (p.escalateAfterSeconds !== null) {
    add('escalateAfterSeconds', secondsProblem(p.escalateAfterSeconds, 60));
    if (p.escalateAfterSeconds >= p.pendingTimeoutSeconds) add('escalateAfterSeconds', 'must be shorter than pendingTimeoutSeconds');
    if (p.escalateTo.length === 0) add('escalateTo', 'must name at least one group when escalateAfterSeconds is set');
  }
  if (p.access === 'approval') {
    if (p.stages.length === 0 && p.approvers.length === 0) add('approvers', 'must name at least one group on an approval mapping');
    if (p.stages.length > 0 && p.approvers.length > 0) add('approvers', 'give either approvers or stages, not both');
  } else {
    if (p.breakGlass) add('breakGlass', 'is only allowed on approval mappings');
    if (p.extensionsWithoutApproval !== 0) add('extensionsWithoutApproval', 'is only allowed on approval mappings');
  }
  return issues;
}
