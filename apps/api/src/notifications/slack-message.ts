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
