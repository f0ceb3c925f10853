import nodemailer from 'nodemailer';
import type { OutboxRecord } from '@rolegate/db';
import type { NotificationPayload } from './announce.js';
import { renderEmail } from './render.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * Delivers an outbox row as mail over SMTP with nodemailer. The row's target
 * is a comma-separated list of addresses. The delivery id is the Message-ID
 * (`<id@from-domain>`, the same on every retry, so a mail system that saw it
 * already can drop the copy) and the `X-Rolegate-Delivery-Id` header; every
 * mail about one request carries `References: <request-id@from-domain>`, so
 * mail clients thread a request's updates under one conversation.
 *
 * `smtps://` is TLS from the start; `smtp://` to anything but a loopback
 * host must upgrade with STARTTLS (requireTLS), so credentials and content
 * never cross the network in clear.
 * @throws Error when the server refuses (4xx/5xx), times out or cannot be reached
 */
export function createEmailChannel(cfg: { smtpUrl: string; from: string; timeoutMs: number }) {
  const url = new URL(cfg.smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587),
    secure: url.protocol === 'smtps:',
    requireTLS: url.protocol === 'smtp:' && !LOOPBACK.has(url.hostname),
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: cfg.timeoutMs,
    greetingTimeout: cfg.timeoutMs,
    socketTimeout: cfg.timeoutMs,
  });
  const domain = cfg.from.slice(cfg.from.lastIndexOf('@') + 1).replace(/>$/, '') || 'rolegate.invalid';
  const deliver = async (row: OutboxRecord): Promise<void> => {
    const p = row.payload as unknown as NotificationPayload;
    const mail = renderEmail(p);
    const thread = `<${p.data.requestId}@${domain}>`;
    await transport.sendMail({
      from: cfg.from,
      to: row.target
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${row.id}@${domain}>`,
      references: thread,
      ...(p.type === 'request.created' || p.type === 'request.break_glass' || p.type === 'request.extended' ? {} : { inReplyTo: thread }),
      headers: { 'X-Rolegate-Delivery-Id': row.id, 'X-Rolegate-Event': p.type, 'Auto-Submitted': 'auto-generated' },
    });
  };
  return Object.assign(deliver, { close: () => transport.close() });
}
