import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window for X-Slack-Request-Timestamp: older (or that far in the future) is refused. */
export const SLACK_WINDOW_SECONDS = 300;

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/**
 * Checks a Slack request signature (`X-Slack-Signature: v0=<hex HMAC-SHA256
 * of "v0:{timestamp}:{raw body}" under the signing secret>`). Stops forged
 * interactions (no secret, no valid MAC), replays of an old captured request
 * (timestamp outside the 5-minute window, both ways), and timing attacks on
 * the comparison (constant time over equal-length buffers). The body must
 * be the raw bytes as received: re-encoded form data would not match.
 * Replays inside the window are the caller's to refuse (remember the signature).
 */
export function checkSlackSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowSeconds: number;
}): SlackSignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'missing' };
  if (Math.abs(input.nowSeconds - Number(timestamp)) > SLACK_WINDOW_SECONDS) return { ok: false, reason: 'stale' };
  const mac = createHmac('sha256', input.secret).update(`v0:${timestamp}:`).update(input.rawBody).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  return given.length === mac.length && timingSafeEqual(given, mac) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** The signature Slack would send (tests and the docs' example). */
export function signSlackRequest(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
