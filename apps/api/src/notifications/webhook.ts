import { Webhook } from 'standardwebhooks';
import type { OutboxRecord } from '@rolegate/db';

/**
 * Delivers an outbox row to its webhook URL following the Standard Webhooks
 * convention: `webhook-id` (the outbox row id: the same on every retry, so a
 * receiver can drop duplicates), `webhook-timestamp` (seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), made
 * by the `standardwebhooks` package with the `whsec_…` secret.
 * @throws Error on a non-2xx answer, a timeout or a network failure
 */
export function createWebhookChannel(cfg: { secret: string; timeoutMs: number }) {
  const signer = new Webhook(cfg.secret);
  return async (row: OutboxRecord): Promise<void> => {
    const body = JSON.stringify(row.payload);
    const at = new Date();
    const signature = signer.sign(row.id, at, body);
    const res = await fetch(row.target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rolegate-Webhooks',
        'webhook-id': row.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
    await res.body?.cancel().catch(() => {});
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
  };
}
