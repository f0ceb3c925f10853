import { ROUTES } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { Router, type Request } from 'express';
import { AppError, type Principal } from '@rolegate/core';
import type { OidcLoginService } from '../auth/oidc/login.js';
import type { SamlLoginService } from '../auth/saml/login.js';
import type { Csrf } from '../middleware/csrf.js';
import { escapeHtml, renderPage } from '../http/pages.js';
import { samlBindingCookie } from './saml.js';

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
}
function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
}
function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err) : resolve())));
}

/**
 * Signs `principal` in on this request's session. The session id is
 * regenerated first: a planted (fixated) cookie is worthless afterwards.
 */
export async function signInSession(
  req: Request,
  principal: Principal,
  csrf: Csrf,
  authTime: Date | null = null,
  refreshBox: string | null = null,
): Promise<void> {
  await regenerate(req);
  req.session.principal = principal;
  req.session.signedInAt = new Date().toISOString();
  if (authTime) req.session.authTime = authTime.toISOString();
  // Sealed OIDC refresh token (OIDC_REFRESH_GROUPS), handed on to CLI tokens approved from this session.
  if (refreshBox) req.session.refreshBox = refreshBox;
  csrf.generateToken(req, true);
  await save(req);
  // Audit trail of sign-ins; IdP-supplied strings go through the JSON logger as data (escaped, one line per event).
  req.log.info(
    {
      event: 'signed-in',
      userId: principal.userId,
      idp: principal.idp,
      subject: principal.subject,
      email: principal.email,
      displayName: principal.displayName,
      groups: principal.groups,
    },
    'signed in',
  );
}

/** The sign-in chooser when several IdPs are configured (no inline script or style: the CSP is strict). */
function renderChooser(providers: { id: string; label: string }[], returnTo: string): string {
  const links = providers
    .map(
      (p) =>
        `<li><a href="/auth/login?provider=${encodeURIComponent(p.id)}&amp;returnTo=${escapeHtml(encodeURIComponent(returnTo))}">Sign in with ${escapeHtml(p.label)}</a></li>`,
    )
    .join('');
  return renderPage('Sign in to Rolegate', `<p>Choose how to sign in.</p><ul>${links}</ul>`);
}

/** `/auth/*`: provider list, login (OIDC or SAML, or a chooser), OIDC callback, logout. */
export function authRoutes(deps: {
  oidcLogin: OidcLoginService | null;
  samlLogin?: SamlLoginService | null;
  csrf: Csrf;
  publicUrl: string;
  demo: boolean;
  cookieName: string;
  secureCookies?: boolean;
  /** OIDC max_age sent with a step-up sign-in (STEP_UP_MAX_AGE_SECONDS). */
  stepUpMaxAgeSeconds?: number;
}) {
  const r = Router();
  const on = routesAt(r, '/auth');
  const providers: { id: 'oidc' | 'saml'; label: string }[] = [];
  if (deps.oidcLogin) providers.push({ id: 'oidc', label: deps.demo ? 'Demo OIDC' : 'OIDC single sign-on' });
  if (deps.samlLogin) providers.push({ id: 'saml', label: deps.demo ? 'Demo SAML' : 'SAML single sign-on' });
  const samlCookie = samlBindingCookie(deps.secureCookies ?? false);

  on(ROUTES.providers, (_req, res) => {
    res.json({ providers, demo: deps.demo });
  });

  on(ROUTES.login, async (req, res) => {
    // Parameter pollution (`?provider=oidc&provider=saml`) is ambiguous: refuse rather than guess.
    if (req.query.provider !== undefined && typeof req.query.provider !== 'string') throw new AppError('VALIDATION_FAILED', 'Give one sign-in provider');
    const asked = typeof req.query.provider === 'string' ? req.query.provider : undefined;
    if (asked === undefined && providers.length > 1) {
      const returnTo = typeof req.query.returnTo === 'string' ? req.query.returnTo : '/';
      res.set('Cache-Control', 'no-store').type('html').send(renderChooser(providers, returnTo));
      return;
    }
    const provider = asked ?? providers[0]?.id;
    // `fresh=1`: step-up — the IdP must authenticate the person again (OIDC max_age, SAML ForceAuthn).
    const fresh = req.query.fresh === '1';
    if (provider === 'saml' && deps.samlLogin) {
      const browserSecret = deps.samlLogin.newBrowserSecret();
      res.cookie(samlCookie.name, browserSecret, samlCookie.options);
      res.set('Cache-Control', 'no-store');
      // passport-saml's strategy answers with the 302 to the IdP.
      await deps.samlLogin.begin(req, res, browserSecret, req.query.returnTo, { forceAuthn: fresh });
      return;
    }
    if (provider !== 'oidc' || !deps.oidcLogin) throw new AppError('VALIDATION_FAILED', 'Unknown sign-in provider');
    // Touch the session so it is saved and its id can bind the login transaction.
    req.session.signedInAt = undefined;
    (req.session as { loginStartedAt?: string }).loginStartedAt = new Date().toISOString();
    const url = await deps.oidcLogin.begin(req.sessionID, req.query.returnTo, req.log, fresh ? { maxAgeSeconds: deps.stepUpMaxAgeSeconds ?? 300 } : {});
    await save(req);
    res.set('Cache-Control', 'no-store').redirect(302, url);
  });

  on(ROUTES.oidcCallback, async (req, res) => {
    if (!deps.oidcLogin) throw new AppError('NOT_FOUND', 'OIDC is not configured');
    const url = new URL(req.originalUrl, deps.publicUrl);
    const { principal, returnTo, authTime, refreshBox } = await deps.oidcLogin.complete(req.session ? req.sessionID : undefined, url, req.log);
    await signInSession(req, principal, deps.csrf, authTime, refreshBox);
    res.set('Cache-Control', 'no-store').redirect(303, returnTo);
  });

  on(ROUTES.logout, deps.csrf.csrfSynchronisedProtection, async (req, res) => {
    await destroy(req);
    res.clearCookie(deps.cookieName, { path: '/' });
    if (req.accepts(['json', 'html']) === 'html') res.redirect(303, '/');
    else res.status(204).end();
  });

  return r;
}
