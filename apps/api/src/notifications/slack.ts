import { LogLevel, WebClient } from '@slack/web-api';
import type { OutboxRecord, SlackRepository } from '@rolegate/db';
import type { NotificationPayload } from './announce.js';
import { factsOf, headlineOf } from './render.js';

/** Slack's mrkdwn treats &, < and > as markup: the requester's reason must not become a link or a mention. */
const mrkdwn = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

/** The action id of the approve button (docs/approvals.md, "Slack"); the review button is a link. */
export const APPROVE_ACTION = 'rolegate_approve';
export const REVIEW_ACTION = 'rolegate_review';

/**
 * A request's Slack message as it stands after a notification: headline,
 * the facts, and a "Review" link button to the approval page; while the
 * request is pending and approving in Slack is on, an "Approve" button too.
 */
export function renderSlack(p: NotificationPayload, opts: { approveInSlack: boolean }) {
  const d = p.data;
  const pending = d.status === 'pending';
  const buttons: Record<string, unknown>[] = [
    { type: 'button', action_id: REVIEW_ACTION, text: { type: 'plain_text', text: pending ? 'Review' : 'Open' }, url: d.url },
  ];
  if (pending && opts.approveInSlack) {
    buttons.push({ type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: d.requestId });
  }
  const text = `${headlineOf(p)}: ${d.requester} → ${d.roleName} (${d.accountId})`;
  return {
    text: mrkdwn(text),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(headlineOf(p))}*` } },
      { type: 'section', fields: factsOf(p).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${mrkdwn(v).slice(0, 1900)}` })) },
      { type: 'actions', elements: buttons },
    ],
  };
}

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
export function createSlackChannel(cfg: { client: WebClient; approveInSlack: boolean; messages: Pick<SlackRepository, 'messageTs' | 'saveMessage'> }) {
  return async (row: OutboxRecord): Promise<void> => {
    const p = row.payload as unknown as NotificationPayload;
    const channel = row.target;
    const message = renderSlack(p, { approveInSlack: cfg.approveInSlack });
    const ts = await cfg.messages.messageTs(p.data.requestId, channel);
    if (ts) {
      await cfg.client.chat.update({ channel, ts, ...message });
      if (p.type === 'request.escalated' || p.type === 'review.overdue') {
        await cfg.client.chat.postMessage({ channel, thread_ts: ts, reply_broadcast: true, text: message.text });
      }
      return;
    }
    const opening = p.type === 'request.created' || p.type === 'request.break_glass' || p.type === 'request.extended';
    if (!opening && row.attempts < 3) throw new Error('the request message is not posted yet; the update waits for it');
    const posted = await cfg.client.chat.postMessage({ channel, ...message });
    if (!posted.ts) throw new Error('Slack answered without a message ts');
    await cfg.messages.saveMessage(p.data.requestId, channel, posted.ts);
  };
}
