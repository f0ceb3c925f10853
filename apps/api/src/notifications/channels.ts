import type { WebClient } from '@slack/web-api';
import type { OutboxChannel, OutboxRecord, SlackRepository } from '@rolegate/db';
import type { Config } from '../config.js';
import type { Deliver } from './outbox-worker.js';
import { createWebhookChannel } from './webhook.js';

/**
 * A channel whose library is loaded on its first delivery: nodemailer and
 * the Slack SDK stay out of memory (and out of start-up) on an instance that
 * never sends mail or Slack messages. A failed load is retried on the next
 * delivery (the outbox keeps the row).
 */
function lazy(load: () => Promise<Deliver & { close?: () => void }>): Deliver & { close: () => void } {
  let loading: Promise<Deliver & { close?: () => void }> | null = null;
  let loaded: (Deliver & { close?: () => void }) | null = null;
  const deliver = async (row: OutboxRecord) => {
    loading ??= load().then(
      (d) => (loaded = d),
      (err: unknown) => {
        loading = null;
        throw err;
      },
    );
    return (await loading)(row);
  };
  return Object.assign(deliver, { close: () => loaded?.close?.() });
}

/**
 * The delivery function of every configured channel, for the outbox worker.
 * The demo sends nowhere: its rows are shown on the outbox page, and marked
 * delivered here without leaving the process.
 */
export function channelsFor(
  config: Pick<Config, 'demo' | 'notify'>,
  deps: { slackMessages: Pick<SlackRepository, 'message' | 'saveMessage'> },
): { channels: Partial<Record<OutboxChannel, Deliver>>; close: () => void } {
  const { notify } = config;
  const channels: Partial<Record<OutboxChannel, Deliver>> = {};
  const closers: (() => void)[] = [];
  if (notify.webhookSecret) channels.webhook = createWebhookChannel({ secret: notify.webhookSecret, timeoutMs: notify.timeoutMs });
  const email = notify.email;
  if (email) {
    const deliver = lazy(async () => (await import('./email.js')).createEmailChannel({ ...email, timeoutMs: notify.timeoutMs }));
    channels.email = deliver;
    closers.push(deliver.close);
  }
  const token = notify.slack.token;
  if (token) {
    channels.slack = lazy(async () => {
      const slack = await import('./slack.js');
      const client = slack.createSlackClient({ token, apiUrl: notify.slack.apiUrl, timeoutMs: notify.timeoutMs });
      return slack.createSlackChannel({ client, approveInSlack: notify.slack.approveInSlack, messages: deps.slackMessages });
    });
  }
  if (config.demo) {
    const shownOnly: Deliver = async () => {};
    for (const c of ['webhook', 'email', 'slack'] as const) channels[c] ??= shownOnly;
  }
  return { channels, close: () => closers.forEach((c) => c()) };
}

/** What Slack says about one of its users (users.info), as approving in Slack needs it. */
export interface SlackUserFacts {
  email: string | null;
  deleted: boolean;
  isBot: boolean;
}

/** Asks Slack about a user (the SDK loaded on first use), or null without a bot token. Null from the lookup: Slack did not answer. */
export function slackUserLookupFor(config: Pick<Config, 'notify'>): ((slackUserId: string) => Promise<SlackUserFacts | null>) | null {
  const token = config.notify.slack.token;
  if (!token) return null;
  let client: Promise<WebClient> | null = null;
  return async (slackUserId) => {
    client ??= import('./slack.js').then((m) => m.createSlackClient({ token, apiUrl: config.notify.slack.apiUrl, timeoutMs: config.notify.timeoutMs }));
    const info = await (await client).users.info({ user: slackUserId }).catch(() => null);
    if (!info?.user) return null;
    return { email: info.user.profile?.email ?? null, deleted: info.user.deleted === true, isBot: info.user.is_bot === true };
  };
}
