import { describe, expect, it } from 'vitest';
import { diffImport } from './admin-import-diff.js';

const m = (group: string, role: string, extra: Partial<{ maxDurationSeconds: number; enabled: boolean; description: string }> = {}) => ({
  group,
  roleArn: `arn:aws:iam::111111111111:role/${role}`,
  accountId: '111111111111',
  maxDurationSeconds: 3600,
  requireReason: false,
  description: '',
  enabled: true,
  ...extra,
});

describe('diffImport', () => {
  it('creates, updates, deletes and counts the unchanged, keyed by exact (group, roleArn)', () => {
    const current = {
      mappings: [
        { id: 'a', ...m('eng', 'Dev') },
        { id: 'b', ...m('eng', 'Ops') },
        { id: 'c', ...m('ops', 'Ops') },
      ],
      accounts: [{ id: '111111111111', name: 'sandbox' }],
    };
    const diff = diffImport(current, {
      mappings: [m('eng', 'Dev'), m('eng', 'Ops', { maxDurationSeconds: 7200 }), m('Eng', 'Dev')],
      accounts: [
        { id: '111111111111', name: 'Sandbox' },
        { id: '222222222222', name: 'prod' },
      ],
    });
    expect(diff.unchanged).toBe(1);
    expect(diff.updated).toEqual([{ id: 'b', before: m('eng', 'Ops'), after: m('eng', 'Ops', { maxDurationSeconds: 7200 }) }]);
    expect(diff.created).toEqual([m('Eng', 'Dev')]);
    expect(diff.deleted).toEqual([{ id: 'c', ...m('ops', 'Ops') }]);
    expect(diff.accounts).toEqual({
      created: [{ id: '222222222222', name: 'prod' }],
      updated: [{ before: { id: '111111111111', name: 'sandbox' }, after: { id: '111111111111', name: 'Sandbox' } }],
    });
  });
});
