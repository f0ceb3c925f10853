import type { Announce, RequestRepository } from '@rolegate/db';
import type { Logger } from './logger.js';
import { runEvery, type Periodic } from './periodic.js';

/**
 * Time-driven request changes, recorded: a pending request past its
 * `pendingTimeoutSeconds` is marked expired (it already reads `expired` to
 * everyone, see effectiveStatus; this writes the event and announces it), and
 * one still pending after `escalateAfterSeconds` is escalated once (its
 * `escalateTo` groups are notified). Every replica runs it, like the grant
 * reconciler: due rows are claimed with FOR UPDATE SKIP LOCKED, so each
 * change happens once. Open break-glass reviews past due are announced
 * again (`review.overdue`, to the routes and the security targets) once per
 * `reviewRenotifySeconds`, not on every pass.
 */
export function createRequestSweeper(deps: {
  requests: Pick<RequestRepository, 'sweepDue' | 'sweepOverdueReviews'>;
  announce?: Announce;
  log: Pick<Logger, 'info' | 'warn'>;
  reviewRenotifySeconds: number;
}) {
  let loop: Periodic | undefined;
  async function runOnce() {
    const done = await deps.requests.sweepDue(deps.announce);
    const overdueReviews = await deps.requests.sweepOverdueReviews(deps.reviewRenotifySeconds, deps.announce);
    if (done.expired.length > 0 || done.escalated.length > 0 || overdueReviews.length > 0) {
      deps.log.info({ ...done, overdueReviews }, 'access requests expired or escalated, overdue reviews announced');
    }
    return { ...done, overdueReviews };
  }
  return {
    runOnce,
    start(intervalMs: number) {
      loop = runEvery(intervalMs, runOnce, (err) => deps.log.warn({ err: (err as Error).message }, 'request sweep failed; retrying at the next interval'));
    },
    async stop() {
      await loop?.stop();
    },
  };
}
