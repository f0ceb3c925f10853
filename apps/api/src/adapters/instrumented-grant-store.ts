import type { GrantRecord, GrantStore } from '@rolegate/core';
import type { Metrics } from '../observability/metrics.js';

/**
 * Counts grant rows by the status they reach, after the write committed:
 * a failed write is not counted, so the counter never runs ahead of the table.
 */
export function instrumentGrantStore<T extends GrantStore>(store: T, metrics: Pick<Metrics, 'grants'>): T {
  const count = (row: GrantRecord) => {
    metrics.grants.inc({ status: row.status, kind: row.kind });
    return row;
  };
  return {
    ...store,
    insert: async (grant) => count(await store.insert(grant)),
    markIssued: async (pending, outcome) => count(await store.markIssued(pending, outcome)),
    markFailed: async (pending, outcome) => count(await store.markFailed(pending, outcome)),
  };
}
