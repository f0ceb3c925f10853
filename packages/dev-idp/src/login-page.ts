/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** What the login page shows. */
export interface LoginPageModel {
  /** Where the form posts to. */
  action: string;
  /** The client the user is signing in to. */
  clientId: string;
  /** Username to prefill after a failed attempt. */
  username?: string;
  /** Error message shown above the form. */
  error?: string;
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; display: flex; min-height: 100vh; align-items: center; justify-content: center; }
  main { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 2px 12px rgba(0,0,0,.08); width: 22rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
  .hint { color: #5f6b7a; font-size: .85rem; margin: 0 0 1.5rem; }
  label { display: block; font-size: .9rem; margin: .75rem 0 .25rem; }
  input { width: 100%; box-sizing: border-box; padding: .55rem; border: 1px solid #c5ccd6; border-radius: 4px; font-size: 1rem; }
  button { margin-top: 1.25rem; width: 100%; padding: .65rem; border: 0; border-radius: 4px; background: #1f5fbf; color: #fff; font-size: 1rem; cursor: pointer; }
  .error { background: #fdecea; color: #8a1c12; padding: .6rem .75rem; border-radius: 4px; font-size: .9rem; }
`;

/** Renders a minimal error page for the demo IdP; the message is HTML-escaped. */
export function renderErrorPage(message: string, detail?: string): string {
  const more = detail ? `<p id="error-detail">${escapeHtml(detail)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Rolegate demo IdP — error</title><style>${STYLE}</style></head>
<body><main><h1>Rolegate demo IdP</h1><p class="error" role="alert" id="error">${escapeHtml(message)}</p>${more}</main></body>
</html>
`;
}

/** Renders the demo IdP's sign-in page; every echoed value is HTML-escaped. */
export function renderLoginPage(model: LoginPageModel): string {
  const error = model.error ? `<p class="error" role="alert" id="error">${escapeHtml(model.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rolegate demo IdP — sign in</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Rolegate demo IdP</h1>
<p class="hint">This is a demo identity provider for local development and tests, not a real company login.
Signing in to <strong>${escapeHtml(model.clientId)}</strong>.</p>
${error}
<form method="post" action="${escapeHtml(model.action)}" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" type="text" required autofocus value="${escapeHtml(model.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button id="sign-in" type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}
