/** One changed field between two versions of a record. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const IGNORED = new Set(['id', 'createdAt', 'updatedAt']);
const ORDER = ['name', 'group', 'roleArn', 'accountId', 'accountName', 'maxDurationSeconds', 'requireReason', 'enabled', 'description'];
const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);

/** Fields whose values differ (timestamps and ids left out), in a stable order. */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null): FieldChange[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])]
    .filter((k) => !IGNORED.has(k))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return keys
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((field) => ({ field, before: before?.[field], after: after?.[field] }));
}

/** A value as a short text for the diff view. */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return JSON.stringify(value);
}

const LABELS: Record<string, string> = {
  group: 'Group',
  roleArn: 'Role ARN',
  accountId: 'Account',
  accountName: 'Account name',
  roleName: 'Role',
  maxDurationSeconds: 'Max session (s)',
  requireReason: 'Reason required',
  description: 'Description',
  enabled: 'Enabled',
  name: 'Name',
};

export const fieldLabel = (field: string) => LABELS[field] ?? field;
