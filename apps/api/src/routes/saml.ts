import express, { Router, type Request, type Response } from 'express';
import { ROUTES } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { AppError } from '@rolegate/core';
import type { SamlLoginService } from '../auth/saml/login.js';
import type { SamlServiceProvider } from '../auth/saml/sp.js';
import { httpStatusOf, toAppError } from '../middleware/errors.js';
import { renderMessagePage } from '../http/pages.js';

/** Own body limit for the ACS: SAML Responses are larger than our JSON, but still bounded. */
export const ACS_BODY_LIMIT = '256kb';
const BINDING_TTL_SECONDS = 600;

/**
 * The cookie binding a SAML sign-in to the browser that started it. The IdP
 * answers with a cross-site POST, which carries no SameSite=Lax session
 * cookie, so this one is SameSite=None (and therefore Secure) on https; on
 * plain-http demo setups, where the IdP is same-site, it is Lax.
 */
export function samlBindingCookie(secure: boolean) {
  return {
    name: secure ? '__Host-rolegate.saml' : 'rolegate.saml',
    options: { httpOnly: true, secure, sameSite: secure ? ('none' as const) : ('lax' as const), path: '/', maxAge: BINDING_TTL_SECONDS * 1000 },
  };
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Browsers get a small HTML page for a refused sign-in; API clients the JSON error. */
function sendLoginError(req: Request, res: Response, err: unknown): void {
  const appErr = toAppError(err);
  if (httpStatusOf(appErr) >= 500) throw err;
  if (req.accepts(['json', 'html']) === 'html') {
    res
      .status(httpStatusOf(appErr))
      .type('html')
      .send(renderMessagePage('Sign-in failed', appErr.message, appErr.code));
    return;
  }
  res.status(httpStatusOf(appErr)).json({ error: { code: appErr.code, message: appErr.message } });
}

/**
 * `/auth/saml/*`: SP metadata and the Assertion Consumer Service. Mounted
 * before the app-wide body parsers so the ACS has its own (larger, still
 * bounded) urlencoded limit. `signIn` regenerates the session for the principal.
 */
export function samlRoutes(deps: {
  sp: SamlServiceProvider;
  samlLogin: SamlLoginService;
  secureCookies: boolean;
  signIn: (req: Request, principal: Awaited<ReturnType<SamlLoginService['complete']>>['principal'], authTime: Date | null) => Promise<void>;
}) {
  const r = Router();
  const on = routesAt(r, '/auth/saml');
  const binding = samlBindingCookie(deps.secureCookies);

  on(ROUTES.samlMetadata, (_req, res) => {
    res.type('application/samlmetadata+xml').send(deps.sp.metadata());
  });

  on(ROUTES.samlAcs, express.urlencoded({ extended: false, limit: ACS_BODY_LIMIT, parameterLimit: 5 }), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const secret = cookieValue(req, binding.name);
    // The binding is single-use: clear it whatever happens next.
    res.clearCookie(binding.name, { path: '/', httpOnly: true, secure: binding.options.secure, sameSite: binding.options.sameSite });
    try {
      if (!req.is('application/x-www-form-urlencoded')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Post the SAMLResponse as a form');
      const { principal, returnTo, authTime } = await deps.samlLogin.complete(req, res, secret, req.log);
      await deps.signIn(req, principal, authTime);
      res.redirect(303, returnTo);
    } catch (err) {
      sendLoginError(req, res, err);
    }
  });

  return r;
}
