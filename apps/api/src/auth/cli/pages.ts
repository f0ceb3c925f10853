import { escapeHtml, renderPage } from '../../http/pages.js';
import type { LoopbackParams } from './fns.js';

const page = renderPage;

const hidden = (name: string, value: string) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/** A time as people read it in a log line: "2026-12-07 21:14 UTC (3 minutes ago)". */
export function whenText(at: Date, nowMs: number): string {
  const stamp = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const minutes = Math.round((at.getTime() - nowMs) / 60_000);
  if (minutes === 0) return `${stamp} (now)`;
  const n = Math.abs(minutes);
  const unit = `${n} minute${n === 1 ? '' : 's'}`;
  return `${stamp} (${minutes < 0 ? `${unit} ago` : `in ${unit}`})`;
}

/** The warning every CLI approval page carries: approving someone else's code hands them your access. */
const WARNING = `<p role="note"><strong>Only approve a code that your own terminal shows you, right now.</strong>
If someone sent you this page or a code, do not approve: whoever started this sign-in gets your AWS access.</p>`;

/** What is being approved, as a definition list. */
function details(rows: [string, string][]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/** "Allow the command-line client?" — submitting it (with the CSRF token) sends the one-time code to the CLI. */
export function renderLoopbackConfirm(m: {
  email: string;
  params: LoopbackParams;
  csrfToken: string;
  ttlHours: number;
  clientIp: string | null;
  now: Date;
}): string {
  const { params } = m;
  return page(
    'Sign in to the Rolegate CLI?',
    `<p>A <code>rolegate login</code> command asks to act as <strong>${escapeHtml(m.email)}</strong> for up to ${m.ttlHours} hours:
list your roles and request AWS credentials, each recorded as a grant.</p>
${details([
  ['Client', params.label || '(no label)'],
  ['Opened from', m.clientIp ?? 'unknown address'],
  ['Requested', whenText(m.now, m.now.getTime())],
  ['Sends the sign-in to', `http://127.0.0.1:${params.port} (this computer)`],
])}
${WARNING}
<form method="post" action="/cli/login">
${hidden('_csrf', m.csrfToken)}${hidden('port', String(params.port))}${hidden('state', params.state)}${hidden('code_challenge', params.codeChallenge)}${hidden('label', params.label)}
<button type="submit" id="cli-allow">Allow</button> <a href="/">Cancel</a>
</form>`,
  );
}

/** The form where a signed-in user types the short code shown by `rolegate login --no-browser` (never filled in from a link). */
export function renderDeviceForm(m: { email: string; csrfToken: string; error?: string }): string {
  return page(
    'Confirm a Rolegate CLI sign-in',
    `${m.error ? `<p role="alert">${escapeHtml(m.error)}</p>` : ''}
<p>Type the code shown in your terminal. The command-line client will act as <strong>${escapeHtml(m.email)}</strong>.</p>
${WARNING}
<form method="post" action="/cli/device">
${hidden('_csrf', m.csrfToken)}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" spellcheck="false" maxlength="16" required>
<button type="submit" id="cli-lookup">Continue</button>
</form>`,
  );
}

/** The device sign-in a typed code names: who asked, from where, since when, until when; Approve or Deny. */
export function renderDeviceConfirm(m: {
  email: string;
  csrfToken: string;
  ttlHours: number;
  userCode: string;
  login: { label: string; clientIp: string | null; userAgent: string | null; createdAt: Date; expiresAt: Date };
  now: Date;
}): string {
  const nowMs = m.now.getTime();
  return page(
    'Approve this CLI sign-in?',
    `<p>Code <strong>${escapeHtml(m.userCode)}</strong> asks to act as <strong>${escapeHtml(m.email)}</strong> for up to ${m.ttlHours} hours.</p>
${details([
  ['Client', m.login.label || '(no label)'],
  ['Requested from', m.login.clientIp ?? 'unknown address'],
  ['Program', m.login.userAgent ?? 'unknown'],
  ['Started', whenText(m.login.createdAt, nowMs)],
  ['Code expires', whenText(m.login.expiresAt, nowMs)],
])}
${WARNING}
<form method="post" action="/cli/device/decide">
${hidden('_csrf', m.csrfToken)}${hidden('user_code', m.userCode)}
<button type="submit" name="decision" value="approve" id="cli-approve">Approve</button>
<button type="submit" name="decision" value="deny" id="cli-deny">Deny</button>
</form>`,
  );
}

/** Shown after a device code was decided. */
export function renderDeviceDone(decision: 'approved' | 'denied'): string {
  return decision === 'approved'
    ? page('CLI signed in', '<p>You can return to your terminal; this window may be closed.</p>')
    : page('CLI sign-in denied', '<p>The sign-in was refused; the command that started it gets nothing. If you did not start it, tell your security team.</p>');
}
