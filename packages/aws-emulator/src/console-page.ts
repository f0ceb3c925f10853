import type { ConsoleSession } from './store.js';

/** Escapes text for HTML content and attributes. */
export const htmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:"Amazon Ember",Helvetica,Arial,sans-serif;background:#f2f3f3;color:#16191f}
header{background:#232f3e;color:#fff;display:flex;align-items:center;justify-content:space-between;padding:0 20px;height:44px}
.logo{font-weight:700;font-size:20px;letter-spacing:-.5px}.logo span{color:#ff9900}
.who{font-size:13px;color:#d5dbdb}.who b{color:#fff}
.banner{background:#0972d3;color:#fff;font-size:13px;padding:6px 20px}
main{max-width:860px;margin:28px auto;padding:0 20px}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,28,36,.25);padding:20px 24px}
h1{font-size:20px;margin:0 0 16px}h2{font-size:16px;margin:0 0 12px}dl{display:grid;grid-template-columns:200px 1fr;gap:10px 16px;margin:0}
dt{color:#5f6b7a;font-size:14px}dd{margin:0;font-size:14px;word-break:break-all}code{font-family:Menlo,Consolas,monospace;font-size:13px}
.err{border-left:4px solid #d91515}`;

function layout(title: string, who: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${htmlEscape(title)}</title><style>${STYLE}</style></head>
<body><header><div class="logo">aws<span>·</span></div><div class="who">${who}</div></header>
<div class="banner">This is an emulated AWS Management Console served by the Rolegate AWS emulator.</div>
<main>${body}</main></body></html>
`;
}

/** The fake console page: role name, account, session name, assumed-role ARN, destination, expiry. */
export function renderConsolePage(c: ConsoleSession, buckets: readonly string[] = []): string {
  const s = c.session;
  const rows: [string, string, string][] = [
    ['Role', 'role-name', s.roleName],
    ['Account', 'account-id', s.account],
    ['Session name', 'session-name', s.sessionName],
    ['Assumed-role ARN', 'role-arn', s.arn],
    ['Destination', 'destination', c.destination],
    ['Console session expires', 'session-expiry', c.expiresAt.toISOString()],
  ];
  if (s.sourceIdentity) rows.push(['Source identity', 'source-identity', s.sourceIdentity]);
  if (c.issuer) rows.push(['Issuer', 'issuer', c.issuer]);
  const dl = rows.map(([label, id, value]) => `<dt>${label}</dt><dd><code id="${id}">${htmlEscape(value)}</code></dd>`).join('');
  const who = `<b>${htmlEscape(s.roleName)}/${htmlEscape(s.sessionName)}</b> @ ${htmlEscape(s.account)}`;
  const list = buckets.length ? buckets.map((b) => `<li><code>${htmlEscape(b)}</code></li>`).join('') : '<li>No buckets</li>';
  const s3 = `<div class="card" style="margin-top:16px"><h2>Amazon S3 buckets</h2><ul id="buckets">${list}</ul></div>`;
  return layout('AWS Management Console (emulated)', who, `<div class="card"><h1>Console Home</h1><dl>${dl}</dl></div>${s3}`);
}

/** The page a console session gets when its role's policies deny it (e.g. after a revocation). */
export function renderDeniedPage(c: ConsoleSession, message: string): string {
  const s = c.session;
  const who = `<b>${htmlEscape(s.roleName)}/${htmlEscape(s.sessionName)}</b> @ ${htmlEscape(s.account)}`;
  return layout(
    'AWS Management Console (emulated) - access denied',
    who,
    `<div class="card err"><h1>Access denied</h1><p id="access-denied">${htmlEscape(message)}</p></div>`,
  );
}

/** An HTML error page in the console's look. */
export function renderErrorPage(message: string): string {
  return layout('AWS Management Console (emulated) - error', '', `<div class="card err"><h1>Sign-in failed</h1><p id="error">${htmlEscape(message)}</p></div>`);
}
