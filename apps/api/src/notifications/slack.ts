import { LogLevel, WebClient } from '@slack/web-api';
import type { OutboxRecord, SlackRepository } from '@rolegate/db';
import type { NotificationPayload } from './announce.js';
import { renderSlack } from './slack-message.js';

/** One Web API client for the process (posting, updating, users.info). */
export function createSlackClient(cfg: { token: string; apiUrl: string; timeoutMs: number }): WebClient {
  return new WebClient(cfg.token, {
    slackApiUrl: cfg.apiUrl,
    timeout: cfg.timeoutMs,
    // The outbox retries with its own backoff; the client must not retry behind its back.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    allowAbsoluteUrls: false,
    logLevel: LogLevel.ERROR,
  });
}

/**
 * Delivers an outbox row to Slack: a request's first notification posts its
 * message (chat.postMessage; its `ts` is kept in Postgres), every later one
 * updates that message (chat.update) — decided, expired, cancelled, ended —
 * and an escalation or an overdue review also replies in its thread,
 * broadcast to the channel, so people are told. An update whose message is
 * not posted yet waits (retried by the outbox) for a few attempts, then
 * posts a message of its own.
 * @throws Error on a Slack error (`ok: false`), an HTTP error or a timeout
 */
export function createSlackChannel(cfg: { client: WebClient; approveInSlack: boolean; messages: Pick<SlackRepository, 'message' | 'saveMessage'> }) {
  return async (row: OutboxRecord): Promise<void> => {
    const p = row.payload as unknown as NotificationPayload;
    const channel = row.target;
    const message = renderSlack(p, { approveInSlack: cfg.approveInSlack });
    const posted = await cfg.messages.message(p.data.requestId, channel);
    if (posted) {
      const { ts } = posted;
      // A retry of an older change arriving after a newer one leaves the message as the newer one made it.
      if (row.createdAt.getTime() >= posted.showsFrom.getTime()) {
        await cfg.client.chat.update({ channel, ts, ...message });
        await cfg.messages.saveMessage(p.data.requestId, channel, ts, row.createdAt);
      }
      if (p.type === 'request.escalated' || p.type === 'review.overdue') {
        await cfg.client.chat.postMessage({ channel, thread_ts: ts, reply_broadcast: true, text: message.text });
      }
      return;
    }
    const opening = p.type === 'request.created' || p.type === 'request.break_glass' || p.type === 'request.extended';
    if (!opening && row.attempts < 3) throw new Error('the request message is not posted yet; the update waits for it');
    const fresh = await cfg.client.chat.postMessage({ channel, ...message });
    if (!fresh.ts) throw new Error('Slack answered without a message ts');
    await cfg.messages.saveMessage(p.data.requestId, channel, fresh.ts, row.createdAt);
  };
}
