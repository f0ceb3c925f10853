import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '@rolegate/core';
import { bearerTokenFrom, parseLoopbackParams } from '../auth/cli-fns.js';
import type { CliLoginService } from '../auth/cli-login.js';
import { renderDeviceDone, renderDeviceForm, renderLoopbackConfirm } from '../auth/cli-pages.js';
import type { CliTokenService } from '../auth/cli-tokens.js';
import type { Csrf } from '../middleware/csrf.js';
import { toAppError } from '../middleware/errors.js';
import { noStore } from './api.js';
import { renderMessagePage } from './pages.js';
import { parseBody } from './validate.js';

/**
 * Allows the confirm form to be redirected to the CLI's loopback listener:
 * CSP `form-action` also governs where a form submission may redirect.
 */
function allowFormActionTo(res: Response, origin: string) {
  const csp = res.getHeader('content-security-policy');
  if (typeof csp !== 'string') return;
  res.setHeader('Content-Security-Policy', csp.replace(/(^|;)\s*form-action ([^;]*)/, (_m, sep: string, list: string) => `${sep}form-action ${list} ${origin}`));
}

function sessionPrincipal(req: Request) {
  const p = req.session?.principal;
  if (!p) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return p;
}

/** Browser pages `/cli/login` and `/cli/device`: a signed-in user approves a CLI sign-in. */
export function cliPageRoutes(deps: { login: CliLoginService; csrf: Csrf; tokenTtlSeconds: number }) {
  const r = Router();
  const ttlHours = Math.round((deps.tokenTtlSeconds / 3600) * 10) / 10;
  const toSignIn = (req: Request, res: Response) => res.redirect(302, `/auth/login?returnTo=${encodeURIComponent(req.originalUrl)}`);

  r.get('/login', (req, res) => {
    if (!req.session?.principal) return toSignIn(req, res);
    const params = parseLoopbackParams(req.query);
    noStore(res);
    allowFormActionTo(res, `http://127.0.0.1:${params.port}`);
    res.type('html').send(renderLoopbackConfirm({ email: req.session.principal.email, params, csrfToken: deps.csrf.generateToken(req), ttlHours }));
  });

  r.post('/login', deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    const principal = sessionPrincipal(req);
    const url = await deps.login.approveLoopback(principal, parseLoopbackParams(req.body as Record<string, unknown>));
    noStore(res);
    res.redirect(302, url);
  });

  r.get('/device', (req, res) => {
    if (!req.session?.principal) return toSignIn(req, res);
    const userCode = typeof req.query.user_code === 'string' ? req.query.user_code.slice(0, 16) : '';
    noStore(res);
    res.type('html').send(renderDeviceForm({ email: req.session.principal.email, csrfToken: deps.csrf.generateToken(req), userCode }));
  });

  r.post('/device', deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    const principal = sessionPrincipal(req);
    noStore(res);
    try {
      await deps.login.approveDevice(principal, (req.body as { user_code?: unknown }).user_code);
    } catch (err) {
      const e = toAppError(err);
      if (e.code !== 'LOGIN_FAILED') throw err;
      res.status(400).type('html').send(renderDeviceForm({ email: principal.email, csrfToken: deps.csrf.generateToken(req), userCode: '', error: e.message }));
      return;
    }
    res.type('html').send(renderDeviceDone());
  });

  const htmlErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = toAppError(err);
    noStore(res);
    res.status(e.status).type('html').send(renderMessagePage('CLI sign-in failed', e.message, e.code));
  };
  r.use(htmlErrors);
  return r;
}

const tokenRequest = z.union([
  z.strictObject({ code: z.string().min(1).max(256), codeVerifier: z.string().min(1).max(256) }),
  z.strictObject({ deviceCode: z.string().min(1).max(256) }),
]);
const deviceRequest = z.strictObject({ label: z.string().max(256).optional() });

/**
 * `/api/cli/*`: token redemption and device start for the CLI (no session),
 * logout with the presented bearer token, and the portal's list/revoke of
 * the user's own tokens (session + CSRF only; the bearer gate refuses tokens here).
 */
export function cliApiRoutes(deps: { login: CliLoginService; tokens: CliTokenService; csrf: Csrf }) {
  const r = Router();

  r.post('/device', async (req, res) => {
    const body = parseBody(deviceRequest, req.body);
    const started = await deps.login.startDevice(body.label);
    noStore(res);
    res.json(started);
  });

  r.post('/token', async (req, res) => {
    const issued = await deps.login.redeem(parseBody(tokenRequest, req.body));
    noStore(res);
    res.json({ token: issued.token, tokenId: issued.id, expiresAt: issued.expiresAt.toISOString(), user: { email: issued.email } });
  });

  r.post('/logout', async (req, res) => {
    const token = bearerTokenFrom(req.get('authorization'));
    if (token === null || token === 'malformed') throw new AppError('UNAUTHENTICATED', 'Present the CLI token to revoke as a bearer token');
    await deps.tokens.revokePresented(token);
    res.status(204).end();
  });

  r.get('/tokens', async (req, res) => {
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

  r.delete('/tokens/:id', deps.csrf.csrfSynchronisedProtection, async (req: Request<{ id: string }>, res) => {
    await deps.tokens.revoke(sessionPrincipal(req).userId, req.params.id);
    res.status(204).end();
  });

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.originalUrl.split('?')[0]}`)));
  return r;
}
