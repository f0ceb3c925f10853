import { Router, type Request } from 'express';
import { AppError } from '@rolegate/core';
import type { OidcLoginService } from '../auth/oidc-login.js';
import type { Csrf } from '../middleware/csrf.js';

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
}
function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
}
function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err) : resolve())));
}

/** `/auth/*`: provider list, login, OIDC callback, logout. */
export function authRoutes(deps: { oidcLogin: OidcLoginService | null; csrf: Csrf; publicUrl: string; demo: boolean; cookieName: string }) {
  const r = Router();
  const providers = deps.oidcLogin ? [{ id: 'oidc' as const, label: deps.demo ? 'Demo identity provider (OIDC)' : 'Single sign-on (OIDC)' }] : [];

  r.get('/providers', (_req, res) => {
    res.json({ providers, demo: deps.demo });
  });

  r.get('/login', async (req, res) => {
    const provider = typeof req.query.provider === 'string' ? req.query.provider : providers[0]?.id;
    if (provider !== 'oidc' || !deps.oidcLogin) throw new AppError('VALIDATION_FAILED', 'Unknown sign-in provider');
    // Touch the session so it is saved and its id can bind the login transaction.
    req.session.signedInAt = undefined;
    (req.session as { loginStartedAt?: string }).loginStartedAt = new Date().toISOString();
    const url = await deps.oidcLogin.begin(req.sessionID, req.query.returnTo);
    await save(req);
    res.set('Cache-Control', 'no-store').redirect(302, url);
  });

  r.get('/oidc/callback', async (req, res) => {
    if (!deps.oidcLogin) throw new AppError('NOT_FOUND', 'OIDC is not configured');
    const url = new URL(req.originalUrl, deps.publicUrl);
    const { principal, returnTo } = await deps.oidcLogin.complete(req.session ? req.sessionID : undefined, url);
    // New session id at sign-in: a planted (fixated) cookie is worthless.
    await regenerate(req);
    req.session.principal = principal;
    req.session.signedInAt = new Date().toISOString();
    deps.csrf.generateToken(req, true);
    await save(req);
    res.set('Cache-Control', 'no-store').redirect(303, returnTo);
  });

  r.post('/logout', deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    await destroy(req);
    res.clearCookie(deps.cookieName, { path: '/' });
    if (req.accepts(['json', 'html']) === 'html') res.redirect(303, '/');
    else res.status(204).end();
  });

  return r;
}
