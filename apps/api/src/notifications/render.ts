import type { NotificationPayload } from './announce.js';

/** "1 h 30 min", "45 min", "2 h". */
export function humanDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const HEADLINES: Record<NotificationPayload['type'], string> = {
  'request.created': 'Access request waiting for approval',
  'request.break_glass': 'BREAK-GLASS access opened (review required)',
  'request.approved': 'Access request approved',
  'request.extended': 'Access window extended without approval (policy)',
  'request.denied': 'Access request denied',
  'request.cancelled': 'Access request cancelled',
  'request.ended': 'Access window ended',
  'request.expired': 'Access request expired without a decision',
  'request.escalated': 'Access request still waiting: escalated',
  'review.closed': 'Break-glass review closed',
  'review.overdue': 'Break-glass review OVERDUE',
};

/** The headline of a notification (email subject prefix, Slack status line). */
export const headlineOf = (p: NotificationPayload): string => HEADLINES[p.type];

/** Label/value lines every channel shows, in order. */
export function factsOf(p: NotificationPayload): [string, string][] {
  const d = p.data;
  const lines: [string, string][] = [
    ['Requester', d.requester],
    ['Role', d.roleName],
    ['Account', d.accountId],
    ['Duration', humanDuration(d.durationSeconds)],
    ['Reason', d.reason],
    ['Status', d.status],
  ];
  if (d.comment) lines.push(['Comment', d.comment]);
  if (d.windowEndsAt && (p.type === 'request.approved' || p.type === 'request.break_glass' || p.type === 'request.extended')) {
    lines.push(['Window ends', d.windowEndsAt]);
  }
  if (d.escalateTo && d.escalateTo.length > 0) lines.push(['Escalated to', d.escalateTo.join(', ')]);
  if (d.reviewDueAt) lines.push(['Review was due', d.reviewDueAt]);
  return lines;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
// A subject is one header line: a reason with CR/LF must not start a new header.
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').slice(0, 200);

/**
 * A notification as mail: subject, plain text and HTML (every value escaped:
 * the reason is the requester's own text).
 */
export function renderEmail(p: NotificationPayload): { subject: string; text: string; html: string } {
  const d = p.data;
  const subject = oneLine(`[Rolegate] ${headlineOf(p)}: ${d.requester} → ${d.roleName} (${d.accountId})`);
  const facts = factsOf(p);
  const action =
    p.type === 'request.created' || p.type === 'request.escalated'
      ? 'Review it'
      : p.type.startsWith('review.') || d.breakGlass
        ? 'Open the review queue'
        : 'Open the request';
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  const text = [
    headlineOf(p),
    '',
    ...facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v.replace(/\r?\n/g, `\n${' '.repeat(width)}`)}`),
    '',
    `${action}: ${d.url}`,
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1 style="font-size:18px">${escapeHtml(headlineOf(p))}</h1>`,
    '<table>',
    ...facts.map(([k, v]) => `<tr><th align="left" style="padding-right:12px">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p><a href="${escapeHtml(d.url)}">${escapeHtml(action)}</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
