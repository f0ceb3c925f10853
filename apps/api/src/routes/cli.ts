import { ROUTES, cliDeviceRequest, cliTokenRequest } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { AppError } from '@rolegate/core';
import { bearerTokenFrom, parseLoopbackParams } from '../auth/cli/fns.js';
import type { CliLoginService } from '../auth/cli/login.js';
import { renderDeviceConfirm, renderDeviceDone, renderDeviceForm, renderLoopbackConfirm } from '../auth/cli/pages.js';
import { isFreshSignIn, requireFreshSignIn } from '../auth/step-up.js';
import type { CliTokenService } from '../auth/cli/tokens.js';
import type { Csrf } from '../middleware/csrf.js';
import { httpStatusOf, toAppError } from '../middleware/errors.js';
import { noStore, requestContext } from './api.js';
import { allowFormActionTo, renderMessagePage } from '../http/pages.js';
import { parseBody } from '../http/parse.js';

function sessionPrincipal(req: Request) {
  const p = req.session?.principal;
  if (!p) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return p;
}

/**
 * Browser pages `/cli/login` and `/cli/device`: a signed-in user approves a
 * CLI sign-in. Both need a fresh IdP authentication (STEP_UP_MAX_AGE_SECONDS):
 * an approval hands whoever started the sign-in a token for the person's
 * roles, so a session left open, or a victim lured to the page, is not enough.
 */
export function cliPageRoutes(deps: { login: CliLoginService; csrf: Csrf; tokenTtlSeconds: number; stepUpMaxAgeSeconds: number }) {
  const r = Router();
  const on = routesAt(r, '/cli');
  const ttlHours = Math.round((deps.tokenTtlSeconds / 3600) * 10) / 10;
  const toSignIn = (req: Request, res: Response) => res.redirect(302, `/auth/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  const staleAfterStepUp = (res: Response) => () => {
    noStore(res);
    res
      .status(403)
      .type('html')
      .send(
        renderMessagePage(
          'Sign in again to approve',
          'Your identity provider did not confirm a fresh sign-in. Sign out, sign in again, then run the command again.',
          'STEP_UP_REQUIRED',
        ),
      );
  };
  /** A POST needs a sign-in as fresh as the page did; otherwise the page must be opened again (it steps up). */
  const freshOrRefuse = (req: Request, again: string) => {
    if (!isFreshSignIn(req.session?.authTime, Date.now(), deps.stepUpMaxAgeSeconds)) {
      throw new AppError('STEP_UP_REQUIRED', `Your sign-in is too old to approve a CLI sign-in; open ${again} again to confirm it is you`);
    }
  };

  on(ROUTES.cliLoginPage, (req, res) => {
    if (!req.session?.principal) return toSignIn(req, res);
    const params = parseLoopbackParams(req.query);
    if (!requireFreshSignIn(req, res, deps.stepUpMaxAgeSeconds, staleAfterStepUp(res))) return;
    noStore(res);
    allowFormActionTo(res, `http://127.0.0.1:${params.port}`);
    res.type('html').send(
      renderLoopbackConfirm({
        email: req.session.principal.email,
        params,
        csrfToken: deps.csrf.generateToken(req),
        ttlHours,
        clientIp: req.ip ?? null,
        now: new Date(),
      }),
    );
  });

  on(ROUTES.cliLoginApprove, deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    const principal = sessionPrincipal(req);
    const params = parseLoopbackParams(req.body as Record<string, unknown>);
    freshOrRefuse(req, 'the sign-in link in your terminal');
    const url = await deps.login.approveLoopback(principal, params, req.session.refreshBox);
    noStore(res);
    res.redirect(302, url);
  });

  // The code is never taken from the URL (RFC 8628 §5.4): a link with
  // someone else's code must not become a one-click approval.
  on(ROUTES.cliDevicePage, (req, res) => {
    if (!req.session?.principal) return toSignIn(req, res);
    if (!requireFreshSignIn(req, res, deps.stepUpMaxAgeSeconds, staleAfterStepUp(res))) return;
    noStore(res);
    res.type('html').send(renderDeviceForm({ email: req.session.principal.email, csrfToken: deps.csrf.generateToken(req) }));
  });

  /** The typed code → what it would approve (nothing is decided yet). */
  on(ROUTES.cliDeviceLookup, deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    const principal = sessionPrincipal(req);
    noStore(res);
    let pending;
    try {
      pending = await deps.login.lookupDevice((req.body as { user_code?: unknown }).user_code);
    } catch (err) {
      const e = toAppError(err);
      if (e.code !== 'LOGIN_FAILED') throw err;
      res
        .status(400)
        .type('html')
        .send(renderDeviceForm({ email: principal.email, csrfToken: deps.csrf.generateToken(req), error: e.message }));
      return;
    }
    res.type('html').send(
      renderDeviceConfirm({
        email: principal.email,
        csrfToken: deps.csrf.generateToken(req),
        ttlHours,
        userCode: pending.userCode,
        login: pending,
        now: new Date(),
      }),
    );
  });

  on(ROUTES.cliDeviceDecide, deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    const principal = sessionPrincipal(req);
    const body = req.body as { user_code?: unknown; decision?: unknown };
    if (body.decision !== 'approve' && body.decision !== 'deny') throw new AppError('VALIDATION_FAILED', 'Choose Approve or Deny');
    freshOrRefuse(req, '/cli/device');
    noStore(res);
    if (body.decision === 'approve') await deps.login.approveDevice(principal, body.user_code, req.session.refreshBox);
    else await deps.login.denyDevice(body.user_code);
    res.type('html').send(renderDeviceDone(body.decision === 'approve' ? 'approved' : 'denied'));
  });

  const htmlErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = toAppError(err);
    noStore(res);
    res
      .status(httpStatusOf(e))
      .type('html')
      .send(renderMessagePage('CLI sign-in failed', e.message, e.code));
  };
  r.use(htmlErrors);
  return r;
}

/**
 * `/api/cli/*`: token redemption and device start for the CLI (no session),
 * logout with the presented bearer token, and the portal's list/revoke of
 * the user's own tokens (session + CSRF only; the bearer gate refuses tokens here).
 */
export function cliApiRoutes(deps: { login: CliLoginService; tokens: CliTokenService; csrf: Csrf }) {
  const r = Router();
  const on = routesAt(r, '/api/cli');

  on(ROUTES.cliDeviceStart, async (req, res) => {
    const body = parseBody(cliDeviceRequest, req.body);
    const started = await deps.login.startDevice(body.label, requestContext(req));
    noStore(res);
    res.json(started);
  });

  on(ROUTES.cliToken, async (req, res) => {
    const issued = await deps.login.redeem(parseBody(cliTokenRequest, req.body));
    noStore(res);
    res.json({ token: issued.token, tokenId: issued.id, expiresAt: issued.expiresAt.toISOString(), user: { email: issued.email } });
  });

  on(ROUTES.cliLogout, async (req, res) => {
    const token = bearerTokenFrom(req.get('authorization'));
    if (token === null || token === 'malformed') throw new AppError('UNAUTHENTICATED', 'Present the CLI token to revoke as a bearer token');
    await deps.tokens.revokePresented(token);
    res.status(204).end();
  });

  on(ROUTES.cliTokens, async (req, res) => {
    const items = await deps.tokens.list(sessionPrincipal(req).userId);
    res.set('Cache-Control', 'no-store').json({
      items: items.map((t) => ({
        id: t.id,
        label: t.label,
        createdAt: t.createdAt.toISOString(),
        expiresAt: t.expiresAt.toISOString(),
        lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
      })),
    });
  });

  on(ROUTES.cliTokenRevoke, deps.csrf.csrfSynchronisedProtection, async (req: Request<{ id: string }>, res) => {
    await deps.tokens.revoke(sessionPrincipal(req).userId, req.params.id);
    res.status(204).end();
  });

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.originalUrl.split('?')[0]}`)));
  return r;
}
