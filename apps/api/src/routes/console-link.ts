import { routesAt } from '../http/route.js';
import { Router, type Request, type Response } from 'express';
import type { ErrorRequestHandler } from 'express';
import { consoleLinkQuery, ROUTES } from '@rolegate/contract';
import { endpointsFor, type GrantService, type Principal } from '@rolegate/core';
import type { Csrf } from '../middleware/csrf.js';
import { httpStatusOf, toAppError } from '../middleware/errors.js';
import { noStore, requestContext } from './api.js';
import { parseBody } from '../http/parse.js';
import { allowFormActionTo, escapeHtml, renderMessagePage, renderPage } from '../http/pages.js';

/**
 * True when a deep-link navigation was started by another site: fetch
 * metadata says `cross-site` or `same-site` (a sibling subdomain), or —
 * from a browser without fetch metadata — the Referer names another origin.
 * Such a navigation gets an interstitial instead of a grant: otherwise any
 * web page could link or redirect a signed-in employee to
 * `/console/<acct>/<role>?duration=43200` and mint a session in their name
 * (a cross-site grant button). Bookmarks and typed URLs (`Sec-Fetch-Site:
 * none`) and our own pages (`same-origin`) go straight through.
 */
export function isCrossSiteNavigation(headers: { secFetchSite?: string | undefined; referer?: string | undefined }, publicOrigin: string): boolean {
  if (headers.secFetchSite !== undefined) return headers.secFetchSite !== 'none' && headers.secFetchSite !== 'same-origin';
  if (!headers.referer) return false;
  try {
    return new URL(headers.referer).origin !== publicOrigin;
  } catch {
    return true;
  }
}

function durationText(seconds: number | undefined): string {
  if (seconds === undefined) return 'the role’s default duration';
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ') || `${seconds} s`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/** "Open <role> in <account> for <duration>?" with a CSRF-protected POST to the same link. */
function renderInterstitial(m: {
  accountId: string;
  roleName: string;
  duration: number | undefined;
  destination: string | undefined;
  csrfToken: string;
  action: string;
}): string {
  return renderPage(
    'Open the AWS console?',
    `<p>A link from another site asks to open <strong>${escapeHtml(m.roleName)}</strong> in account <strong>${escapeHtml(m.accountId)}</strong>
for ${escapeHtml(durationText(m.duration))}. The session is recorded in your name.</p>
<p>Continue only if you meant to open this role now.</p>
<form method="post" action="${escapeHtml(m.action)}">
${hidden('_csrf', m.csrfToken)}${m.duration !== undefined ? hidden('duration', String(m.duration)) : ''}${m.destination !== undefined ? hidden('destination', m.destination) : ''}
<button type="submit" id="console-open">Open the console</button> <a href="/">Cancel</a>
</form>`,
  );
}

/**
 * The bookmarkable deep link `GET /console/:accountId/:roleName`: signs the
 * user in first when needed, then issues a console grant and redirects —
 * unless another site started the navigation, which gets the interstitial
 * whose POST issues the grant.
 */
export function consoleLinkRoutes(deps: { grantService: GrantService; csrf: Csrf; publicUrl: string; federationUrl?: string | undefined }) {
  const r = Router();
  const on = routesAt(r, '/console');
  const publicOrigin = new URL(deps.publicUrl).origin;
  // Where the interstitial's POST is redirected: the AWS federation endpoint (configured, or each partition's).
  const federationOrigins = deps.federationUrl
    ? [new URL(deps.federationUrl).origin]
    : (['aws', 'aws-us-gov', 'aws-cn'] as const).map((p) => new URL(endpointsFor(p).federationUrl).origin);

  async function grantAndGo(
    req: Request<{ accountId: string; roleName: string }>,
    res: Response,
    principal: Principal,
    q: { duration?: number | undefined; destination?: string | undefined },
    status: 302 | 303,
  ) {
    const result = await deps.grantService.requestGrantByRole(
      principal,
      { accountId: req.params.accountId, roleName: req.params.roleName, kind: 'console', durationSeconds: q.duration, destination: q.destination },
      requestContext(req),
    );
    noStore(res);
    res.redirect(status, result.consoleUrl ?? '/');
  }

  on(ROUTES.consoleLink, async (req: Request<{ accountId: string; roleName: string }>, res) => {
    if (!req.session?.principal) {
      const back = req.originalUrl;
      res.redirect(302, `/auth/login?returnTo=${encodeURIComponent(back)}`);
      return;
    }
    const q = parseBody(consoleLinkQuery, req.query);
    if (isCrossSiteNavigation({ secFetchSite: req.get('sec-fetch-site'), referer: req.get('referer') }, publicOrigin)) {
      noStore(res);
      allowFormActionTo(res, ...federationOrigins);
      res.type('html').send(
        renderInterstitial({
          accountId: req.params.accountId,
          roleName: req.params.roleName,
          duration: q.duration,
          destination: q.destination,
          csrfToken: deps.csrf.generateToken(req),
          action: `/console/${encodeURIComponent(req.params.accountId)}/${encodeURIComponent(req.params.roleName)}`,
        }),
      );
      return;
    }
    await grantAndGo(req, res, req.session.principal, q, 302);
  });

  // The interstitial's answer: CSRF token, same-origin (checked by the caller's middleware), then the grant.
  on(ROUTES.consoleLinkConfirm, deps.csrf.csrfSynchronisedProtection, async (req: Request<{ accountId: string; roleName: string }>, res) => {
    const principal = req.session?.principal;
    if (!principal) {
      res.redirect(303, `/auth/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const q = parseBody(consoleLinkQuery, {
      ...(typeof body.duration === 'string' && body.duration !== '' ? { duration: body.duration } : {}),
      ...(typeof body.destination === 'string' && body.destination !== '' ? { destination: body.destination } : {}),
    });
    await grantAndGo(req, res, principal, q, 303);
  });

  const htmlErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = toAppError(err);
    noStore(res);
    res
      .status(httpStatusOf(e))
      .type('html')
      .send(renderMessagePage('Could not open the console', e.message, e.code));
  };
  r.use(htmlErrors);
  return r;
}
