import type { OutboxRecord } from '@rolegate/db';
import type { NotificationPayload } from './announce.js';
import { renderEmail } from './render.js';
import { renderSlack } from './slack-message.js';

/**
 * One line saying what a row sends on its channel (the outbox page; in the
 * demo, what would have been sent): the mail's subject, the Slack
 * message's text, or the webhook's event type and subject.
 */
export function previewOf(row: Pick<OutboxRecord, 'channel' | 'payload'>): string {
  const p = row.payload as unknown as NotificationPayload;
  if (!p?.data) return '';
  if (row.channel === 'email') return renderEmail(p).subject;
  if (row.channel === 'slack') return renderSlack(p, { approveInSlack: false }).text;
  return `POST ${p.type}: ${p.data.requester} → ${p.data.roleName} (${p.data.accountId})`;
}
