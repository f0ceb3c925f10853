import { describe, expect, it } from 'vitest';
import { isApproverOf, policyIssues, policyOf, stagesOf } from './access-policy.js';

const paths = (input: Parameters<typeof policyIssues>[0]) => policyIssues(input).map((i) => i.path);

describe('policyIssues', () => {
  it('defaults are an instant mapping with no issue', () => {
    expect(policyOf({}).access).toBe('instant');
    expect(policyIssues({})).toEqual([]);
  });
  it('an approval mapping needs approvers (an empty list would never be decided)', () => {
    expect(paths({ access: 'approval' })).toEqual(['approvers']);
    expect(paths({ access: 'approval', approvers: ['ops'] })).toEqual([]);
  });
  it('approvals at least 1; stages each need groups; not both approvers and stages', () => {
    expect(paths({ access: 'approval', approvers: ['ops'], approvals: 0 })).toContain('approvals');
    expect(paths({ access: 'approval', stages: [{ approvers: [], approvals: 1 }] })).toContain('stages.0.approvers');
    expect(paths({ access: 'approval', approvers: ['ops'], stages: [{ approvers: ['sec'], approvals: 1 }] })).toContain('approvers');
  });
  it('break-glass only on approval mappings; escalation needs a target and comes before the timeout', () => {
    expect(paths({ breakGlass: true })).toEqual(['breakGlass']);
    expect(paths({ access: 'approval', approvers: ['ops'], escalateAfterSeconds: 3600 })).toEqual(['escalateTo']);
    expect(paths({ access: 'approval', approvers: ['ops'], escalateAfterSeconds: 90_000, escalateTo: ['leads'] })).toEqual(['escalateAfterSeconds']);
  });
  it('approver groups follow the group rules (no list in one name, no stray spaces)', () => {
    expect(paths({ access: 'approval', approvers: ['ops,sec'] })).toEqual(['approvers.0']);
    expect(paths({ access: 'approval', approvers: [' ops'] })).toEqual(['approvers.0']);
  });
});

describe('approvers', () => {
  it('one stage from approvers when stages is empty; exact group match', () => {
    const p = policyOf({ access: 'approval', approvers: ['ops'], approvals: 2 });
    expect(stagesOf(p)).toEqual([{ approvers: ['ops'], approvals: 2 }]);
    expect(isApproverOf(p, ['ops'])).toBe(true);
    expect(isApproverOf(p, ['OPS', 'ops '])).toBe(false);
    expect(isApproverOf(policyOf({ approvers: ['ops'] }), ['ops'])).toBe(false);
  });
});
