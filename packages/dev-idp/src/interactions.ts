import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { renderErrorPage as errorPage, renderLoginPage } from './login-page.js';
import { authenticate, type DemoUser } from './users.js';
import { readForm } from './read-form.js';

/** Handles one HTTP request if it belongs to the interaction routes; resolves false when it does not. */
export type InteractionHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const UID = '([A-Za-z0-9_-]{1,64})';

// Our pages carry no scripts and may not be framed (clickjacking of the login form).
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** The path of the login page for one interaction, as configured in the provider's `interactions.url`. */
export function interactionPath(basePath: string, uid: string): string {
  return `${basePath}/interaction/${encodeURIComponent(uid)}`;
}

/**
 * Creates the handler for our own interaction routes under `basePath`:
 * GET /interaction/:uid (login form, or automatic consent) and POST /interaction/:uid/login.
 */
export function createInteractionHandler(provider: Provider, users: readonly DemoUser[], basePath: string): InteractionHandler {
  const showRoute = new RegExp(`^${escapeRegExp(basePath)}/interaction/${UID}$`);
  const loginRoute = new RegExp(`^${escapeRegExp(basePath)}/interaction/${UID}/login$`);

  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const show = showRoute.exec(path);
    const login = loginRoute.exec(path);
    if (!show && !login) return false;
    try {
      if (show && req.method === 'GET') await showInteraction(req, res, show[1] as string);
      else if (login && req.method === 'POST') await submitLogin(req, res, login[1] as string);
      else sendPage(res, 405, errorPage('Method not allowed.'));
    } catch (err) {
      if (res.headersSent) throw err;
      // Expired or missing interaction cookies are the common case (SessionNotFound).
      const status = statusOf(err);
      sendPage(
        res,
        status,
        errorPage(status === 400 ? 'This sign-in attempt has expired or is invalid. Start again from the application.' : 'The sign-in failed.'),
      );
    }
    return true;
  };

  async function showInteraction(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendPage(res, 400, errorPage('This sign-in attempt does not match your browser session.'));
    const clientId = String(details.params['client_id'] ?? '');
    switch (details.prompt.name) {
      case 'login':
        return sendPage(res, 200, renderLoginPage({ action: `${interactionPath(basePath, uid)}/login`, clientId }));
      case 'consent':
        return grantConsent(req, res, details);
      default:
        return sendPage(res, 501, errorPage(`Unsupported prompt: ${details.prompt.name}`));
    }
  }

  async function submitLogin(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'login') {
      return sendPage(res, 400, errorPage('This sign-in attempt does not match your browser session.'));
    }
    const form = await readForm(req);
    if (!form) return sendPage(res, 413, errorPage('The form was too large.'));
    const username = form.get('username') ?? '';
    const user = authenticate(users, username, form.get('password') ?? '');
    if (!user) {
      const clientId = String(details.params['client_id'] ?? '');
      const page = renderLoginPage({ action: `${interactionPath(basePath, uid)}/login`, clientId, username, error: 'Wrong username or password.' });
      return sendPage(res, 401, page);
    }
    const result: InteractionResults = { login: { accountId: user.username } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  // A demo IdP trusts every registered client: grant exactly what was asked for, without a consent page.
  async function grantConsent(req: IncomingMessage, res: ServerResponse, details: Awaited<ReturnType<Provider['interactionDetails']>>): Promise<void> {
    const accountId = details.session?.accountId;
    if (!accountId) return sendPage(res, 400, errorPage('No signed-in user for this consent.'));
    const clientId = String(details.params['client_id']);
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
    if (!grant) return sendPage(res, 400, errorPage('The grant for this sign-in no longer exists.'));
    const prompt = details.prompt.details;
    if (Array.isArray(prompt['missingOIDCScope'])) grant.addOIDCScope((prompt['missingOIDCScope'] as string[]).join(' '));
    if (Array.isArray(prompt['missingOIDCClaims'])) grant.addOIDCClaims(prompt['missingOIDCClaims'] as string[]);
    const resourceScopes = prompt['missingResourceScopes'];
    if (resourceScopes && typeof resourceScopes === 'object') {
      for (const [indicator, scopes] of Object.entries(resourceScopes as Record<string, string[]>)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(html);
}

function statusOf(err: unknown): number {
  const status = (err as { statusCode?: unknown; status?: unknown } | null)?.statusCode ?? (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 400 : 500;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
