import type { OutboxChannel } from '@rolegate/db';
import type { Config } from '../config.js';
import { createEmailChannel } from './email.js';
import type { Deliver } from './outbox-worker.js';
import { createWebhookChannel } from './webhook.js';

/**
 * The delivery function of every configured channel, for the outbox worker.
 * The demo sends nowhere: its rows are shown on the outbox page, and marked
 * delivered here without leaving the process.
 */
export function channelsFor(config: Pick<Config, 'demo' | 'notify'>): { channels: Partial<Record<OutboxChannel, Deliver>>; close: () => void } {
  const { notify } = config;
  const channels: Partial<Record<OutboxChannel, Deliver>> = {};
  const closers: (() => void)[] = [];
  if (notify.webhookSecret) channels.webhook = createWebhookChannel({ secret: notify.webhookSecret, timeoutMs: notify.timeoutMs });
  if (notify.email) {
    const email = createEmailChannel({ ...notify.email, timeoutMs: notify.timeoutMs });
    channels.email = email;
    closers.push(email.close);
  }
  if (config.demo) {
    const shownOnly: Deliver = async () => {};
    for (const c of ['webhook', 'email', 'slack'] as const) channels[c] ??= shownOnly;
  }
  return { channels, close: () => closers.forEach((c) => c()) };
}
