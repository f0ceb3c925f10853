import type { WebClient } from '@slack/web-api';
import type { OutboxChannel, SlackRepository } from '@rolegate/db';
import type { Config } from '../config.js';
import { createEmailChannel } from './email.js';
import type { Deliver } from './outbox-worker.js';
import { createSlackChannel, createSlackClient } from './slack.js';
import { createWebhookChannel } from './webhook.js';

/**
 * The delivery function of every configured channel, for the outbox worker.
 * The demo sends nowhere: its rows are shown on the outbox page, and marked
 * delivered here without leaving the process.
 */
export function channelsFor(
  config: Pick<Config, 'demo' | 'notify'>,
  deps: { slackMessages: Pick<SlackRepository, 'messageTs' | 'saveMessage'>; slackClient: WebClient | null },
): { channels: Partial<Record<OutboxChannel, Deliver>>; close: () => void } {
  const { notify } = config;
  const channels: Partial<Record<OutboxChannel, Deliver>> = {};
  const closers: (() => void)[] = [];
  if (notify.webhookSecret) channels.webhook = createWebhookChannel({ secret: notify.webhookSecret, timeoutMs: notify.timeoutMs });
  if (notify.email) {
    const email = createEmailChannel({ ...notify.email, timeoutMs: notify.timeoutMs });
    channels.email = email;
    closers.push(email.close);
  }
  if (deps.slackClient) {
    channels.slack = createSlackChannel({ client: deps.slackClient, approveInSlack: notify.slack.approveInSlack, messages: deps.slackMessages });
  }
  if (config.demo) {
    const shownOnly: Deliver = async () => {};
    for (const c of ['webhook', 'email', 'slack'] as const) channels[c] ??= shownOnly;
  }
  return { channels, close: () => closers.forEach((c) => c()) };
}

/** The process's Slack Web API client, or null without a bot token. */
export const slackClientFor = (config: Pick<Config, 'notify'>): WebClient | null =>
  config.notify.slack.token
    ? createSlackClient({ token: config.notify.slack.token, apiUrl: config.notify.slack.apiUrl, timeoutMs: config.notify.timeoutMs })
    : null;
