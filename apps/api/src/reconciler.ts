import type { GrantRepository } from '@rolegate/db';
import type { Logger } from './logger.js';
import type { Metrics } from './observability/metrics.js';
import { runEvery, type Periodic } from './periodic.js';

/**
 * No grant stays `pending` for ever. A row is pending only between its
 * write-ahead insert and its outcome write; past the outbound timeouts plus a
 * margin, the process that owned it is gone (killed, or cut from the
 * database between the STS answer and the outcome). Every instance runs this;
 * rows are claimed with SKIP LOCKED, so instances never fight over one. The
 * row becomes `abandoned` ("AWS may have issued credentials; none were
 * delivered"), counted in rolegate_grants_total{status="abandoned"} and
 * visible to auditors with status=abandoned.
 */
export function createReconciler(deps: {
  grants: Pick<GrantRepository, 'abandonStale'>;
  olderThanMs: number;
  log: Pick<Logger, 'warn'>;
  metrics?: Pick<Metrics, 'grants'>;
}) {
  let loop: Periodic | undefined;
  async function runOnce(): Promise<string[]> {
    const closed = await deps.grants.abandonStale(deps.olderThanMs);
    for (const g of closed) deps.metrics?.grants.inc({ status: 'abandoned', kind: g.kind });
    if (closed.length > 0) deps.log.warn({ grants: closed.map((g) => g.id) }, 'pending grants past the outbound timeouts closed as abandoned');
    return closed.map((g) => g.id);
  }
  return {
    runOnce,
    start(intervalMs: number) {
      loop = runEvery(intervalMs, runOnce, (err) => deps.log.warn({ err }, 'grant reconciler failed; retrying at the next interval'));
    },
    async stop() {
      await loop?.stop();
    },
  };
}

/**
 * Retries a failed write in the background (every `delayMs`, at most
 * `attempts` times), for outcome writes lost while the database was away.
 */
export function createRetrier(deps: { attempts: number; delayMs: number; log: Pick<Logger, 'warn'> }) {
  const timers = new Set<NodeJS.Timeout>();
  function schedule(write: () => Promise<unknown>, left: number) {
    const t = setTimeout(() => {
      timers.delete(t);
      write().catch((err: unknown) => {
        if (left > 1) schedule(write, left - 1);
        else deps.log.warn({ err }, 'outcome write still failing; the reconciler will close the grant');
      });
    }, deps.delayMs);
    t.unref();
    timers.add(t);
  }
  return {
    retryLater: (write: () => Promise<unknown>) => schedule(write, deps.attempts),
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
