import { retryDelayMs } from '@rolegate/core';
import type { OutboxChannel, OutboxRecord, OutboxRepository } from '@rolegate/db';
import type { Logger } from '../logger.js';
import { runEvery, type Periodic } from '../periodic.js';

export type Deliver = (row: OutboxRecord) => Promise<void>;

/**
 * Delivers the outbox. Every replica runs one: rows are claimed with FOR
 * UPDATE SKIP LOCKED under a lease (longer than a delivery's timeout), so two
 * replicas never send the same row at once, and a replica that dies mid-send
 * hands its rows back when the lease ends. A failed attempt is retried with
 * exponential backoff until `maxAttempts`, then the row is `failed` (kept,
 * with its last error, for the operator). Delivery is at least once: a
 * receiver that answered after our timeout may see the same `webhook-id`
 * again, and should drop it.
 */
export function createOutboxWorker(deps: {
  outbox: Pick<OutboxRepository, 'claim' | 'markDelivered' | 'markFailedAttempt'>;
  channels: Partial<Record<OutboxChannel, Deliver>>;
  log: Pick<Logger, 'warn' | 'info'>;
  maxAttempts: number;
  leaseMs: number;
  backoff: { baseMs: number; maxMs: number };
  batch?: number;
}) {
  let loop: Periodic | undefined;

  async function deliverOne(row: OutboxRecord): Promise<void> {
    const deliver = deps.channels[row.channel];
    try {
      if (!deliver) throw new Error(`channel ${row.channel} is not configured`);
      await deliver(row);
      await deps.outbox.markDelivered(row.id);
    } catch (err) {
      const message = err instanceof Error ? (err.name === 'TimeoutError' ? 'timeout' : err.message) : String(err);
      const final = row.attempts >= deps.maxAttempts;
      await deps.outbox.markFailedAttempt(row.id, message, retryDelayMs(row.attempts, deps.backoff), final);
      deps.log.warn(
        { deliveryId: row.id, channel: row.channel, attempt: row.attempts, final, err: message },
        final ? 'notification given up' : 'notification delivery failed; will retry',
      );
    }
  }

  /** One pass: claims a batch and delivers it. @returns how many rows were tried */
  async function runOnce(): Promise<number> {
    const rows = await deps.outbox.claim(deps.batch ?? 20, deps.leaseMs);
    await Promise.all(rows.map(deliverOne));
    return rows.length;
  }

  return {
    runOnce,
    start(intervalMs: number) {
      loop = runEvery(intervalMs, runOnce, (err) => deps.log.warn({ err: (err as Error).message }, 'outbox pass failed; retrying at the next interval'));
    },
    async stop() {
      await loop?.stop();
    },
  };
}
