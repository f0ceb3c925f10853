import type { Response } from 'express';
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The stylesheet of the server-rendered pages (sign-in chooser, errors, CLI approval). */
export const PAGES_CSS = `:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#101828;background:#f4f5f7}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;box-sizing:border-box}
main{background:#fff;border:1px solid #e4e7ec;border-radius:12px;box-shadow:0 1px 3px rgba(16,24,40,.08);padding:32px;max-width:480px;width:100%}
h1{font-size:22px;margin:0 0 16px}
p{line-height:1.5;color:#344054}
ul{list-style:none;padding:0;margin:0;display:grid;gap:12px}
a,button{font:inherit}
ul a,button{display:block;text-align:center;padding:10px 16px;border-radius:8px;background:#1d4ed8;color:#fff;text-decoration:none;border:0;cursor:pointer;font-weight:600}
ul a:hover,button:hover{background:#1e40af}
form a{display:inline-block;padding:10px 12px;min-height:24px;min-width:24px}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
input[type=text]{font:inherit;padding:8px 10px;border:1px solid #d0d5dd;border-radius:8px;width:100%;box-sizing:border-box;margin:8px 0 16px}
code{background:#f2f4f7;padding:1px 5px;border-radius:4px}
.brand{font-weight:700;color:#1d4ed8;margin-bottom:8px;display:block}
@media (prefers-color-scheme:dark){:root{color-scheme:dark;color:#e6e9ef;background:#0f131a}main{background:#171c26;border-color:#2c3445}p{color:#c4cbd7}code{background:#242b38}.brand{color:#8fb0ff}input[type=text]{background:#0f131a;color:#e6e9ef;border-color:#3d475b}}
`;

/** A server-rendered page: no inline script or style (the CSP forbids both), our stylesheet only. */
export function renderPage(title: string, bodyHtml: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Rolegate</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/pages.css"></head>
<body><main><span class="brand">Rolegate</span><h1>${escapeHtml(title)}</h1>${bodyHtml}</main></body></html>`;
}

/**
 * Lets a page's form submission be redirected to `origins` (the CLI's
 * loopback listener, the AWS federation endpoint): CSP `form-action` also
 * governs where a form submission may redirect.
 */
export function allowFormActionTo(res: Response, ...origins: string[]) {
  const csp = res.getHeader('content-security-policy');
  if (typeof csp !== 'string') return;
  res.setHeader(
    'Content-Security-Policy',
    csp.replace(/(^|;)\s*form-action ([^;]*)/, (_m, sep: string, list: string) => `${sep}form-action ${list} ${origins.join(' ')}`),
  );
}

/** A page for errors reached by browser navigation. */
export function renderMessagePage(title: string, message: string, code: string): string {
  return renderPage(title, `<p>${escapeHtml(message)}</p><p><code>${escapeHtml(code)}</code></p><p><a href="/">Back to Rolegate</a></p>`);
}
