import { escapeHtml, renderPage } from '../routes/pages.js';
import type { LoopbackParams } from './cli-fns.js';

const page = renderPage;

const hidden = (name: string, value: string) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/** "Allow the command-line client?" — submitting it (with the CSRF token) sends the one-time code to the CLI. */
export function renderLoopbackConfirm(m: { email: string; params: LoopbackParams; csrfToken: string; ttlHours: number }): string {
  const { params } = m;
  return page(
    'Sign in to the Rolegate CLI?',
    `<p>A <code>rolegate</code> command on this computer${params.label ? ` (<strong>${escapeHtml(params.label)}</strong>)` : ''} asks to act as
<strong>${escapeHtml(m.email)}</strong> for up to ${m.ttlHours} hours: list your roles and request AWS credentials, each recorded as a grant.</p>
<p>Continue only if you just ran <code>rolegate login</code> yourself.</p>
<form method="post" action="/cli/login">
${hidden('_csrf', m.csrfToken)}${hidden('port', String(params.port))}${hidden('state', params.state)}${hidden('code_challenge', params.codeChallenge)}${hidden('label', params.label)}
<button type="submit" id="cli-allow">Allow</button> <a href="/">Cancel</a>
</form>`,
  );
}

/** The form where a signed-in user types the short code shown by `rolegate login --no-browser`. */
export function renderDeviceForm(m: { email: string; csrfToken: string; userCode: string; error?: string }): string {
  return page(
    'Confirm a Rolegate CLI sign-in',
    `${m.error ? `<p role="alert">${escapeHtml(m.error)}</p>` : ''}
<p>Enter the code shown in your terminal. The command-line client will act as <strong>${escapeHtml(m.email)}</strong>.</p>
<p>Continue only if you just ran <code>rolegate login --no-browser</code> yourself.</p>
<form method="post" action="/cli/device">
${hidden('_csrf', m.csrfToken)}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" spellcheck="false" maxlength="16" required value="${escapeHtml(m.userCode)}">
<button type="submit" id="cli-confirm">Confirm</button>
</form>`,
  );
}

/** Shown after a device code was confirmed. */
export function renderDeviceDone(): string {
  return page('CLI signed in', '<p>You can return to your terminal; this window may be closed.</p>');
}
