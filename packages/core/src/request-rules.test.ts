import { describe, expect, it } from 'vitest';
import { policyOf } from './access-policy.js';
import { clipToWindow, decideApproval, decideDenial, effectiveStatus, mayView, resolveWindowDuration, type RequestState } from './request-rules.js';

const now = new Date('2026-12-08T10:00:00Z');
const later = new Date('2026-12-09T10:00:00Z');
const state = (over: Partial<RequestState> = {}): RequestState => ({
  requesterId: 'erin',
  status: 'pending',
  policy: policyOf({ access: 'approval', approvers: ['ops'], approvals: 1 }),
  pendingUntil: later,
  windowEndsAt: null,
  approvals: [],
  ...over,
});
const person = (userId: string, groups: string[]) => ({ userId, groups, isAdmin: false });

describe('decideApproval', () => {
  it('the requester never approves, even in the approver group', () => {
    expect(() => decideApproval(state(), person('erin', ['ops']), now)).toThrow(expect.objectContaining({ code: 'SELF_APPROVAL' }));
  });
  it('groups match exactly ("ops,dev" is not "ops", "Ops" is not "ops")', () => {
    expect(() => decideApproval(state(), person('x', ['ops,dev', 'Ops']), now)).toThrow(expect.objectContaining({ code: 'NOT_APPROVER' }));
  });
  it('a quorum counts distinct people', () => {
    const s = state({ policy: policyOf({ access: 'approval', approvers: ['ops'], approvals: 2 }) });
    expect(decideApproval(s, person('ada', ['ops']), now)).toEqual({ stage: 0, approved: false });
    const after = { ...s, approvals: [{ userId: 'ada', stage: 0 }] };
    expect(() => decideApproval(after, person('ada', ['ops']), now)).toThrow(expect.objectContaining({ code: 'ALREADY_APPROVED_BY_YOU' }));
    expect(decideApproval(after, person('grace', ['ops']), now)).toEqual({ stage: 0, approved: true });
  });
  it('stages go in order, and a person counted at stage 1 does not count at stage 2', () => {
    const s = state({
      policy: policyOf({
        access: 'approval',
        stages: [
          { approvers: ['ops'], approvals: 1 },
          { approvers: ['sec'], approvals: 1 },
        ],
      }),
    });
    expect(() => decideApproval(s, person('sam', ['sec']), now)).toThrow(expect.objectContaining({ code: 'NOT_APPROVER' }));
    const after = { ...s, approvals: [{ userId: 'grace', stage: 0 }] };
    expect(() => decideApproval(after, person('grace', ['ops', 'sec']), now)).toThrow(expect.objectContaining({ code: 'ALREADY_APPROVED_BY_YOU' }));
    expect(decideApproval(after, person('sam', ['sec']), now)).toEqual({ stage: 1, approved: true });
  });
  it('an expired or decided request is ALREADY_DECIDED', () => {
    expect(() => decideApproval(state({ pendingUntil: now }), person('ada', ['ops']), now)).toThrow(expect.objectContaining({ code: 'ALREADY_DECIDED' }));
    expect(() => decideDenial(state({ status: 'denied' }), person('ada', ['ops']), now)).toThrow(expect.objectContaining({ code: 'ALREADY_DECIDED' }));
  });
});

describe('windows', () => {
  it('effective status: approved past the window reads ended, pending past its deadline expired', () => {
    expect(effectiveStatus({ status: 'approved', pendingUntil: later, windowEndsAt: now }, now)).toBe('ended');
    expect(effectiveStatus({ status: 'pending', pendingUntil: now, windowEndsAt: null }, now)).toBe('expired');
  });
  it('clips a session to the time the window has left, and refuses under 15 minutes', () => {
    expect(clipToWindow(3600, new Date(now.getTime() + 1800_500), now)).toBe(1800);
    expect(clipToWindow(1000, new Date(now.getTime() + 1800_000), now)).toBe(1000);
    expect(() => clipToWindow(3600, new Date(now.getTime() + 899_999), now)).toThrow(expect.objectContaining({ code: 'WINDOW_ENDING' }));
  });
  it('a window is 1200 s at least and never over the mapping maximum', () => {
    expect(() => resolveWindowDuration(900, 3600)).toThrow(expect.objectContaining({ code: 'INVALID_DURATION' }));
    expect(() => resolveWindowDuration(3601, 3600)).toThrow(expect.objectContaining({ code: 'INVALID_DURATION' }));
    expect(resolveWindowDuration(3600, 3600)).toBe(3600);
  });
  it('readers: requester, approvers, admins, auditors; nobody else', () => {
    expect(mayView(state(), person('erin', []))).toBe(true);
    expect(mayView(state(), person('ada', ['ops']))).toBe(true);
    expect(mayView(state(), { userId: 'x', groups: [], isAdmin: false, isAuditor: true })).toBe(true);
    expect(mayView(state(), person('alice', ['engineers']))).toBe(false);
  });
});
