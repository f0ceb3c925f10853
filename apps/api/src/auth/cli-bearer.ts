import type { RequestHandler } from 'express';
import type { Principal } from '@rolegate/core';
import { AppError } from '@rolegate/core';
import type { Csrf } from '../middleware/csrf.js';
import { bearerMayUse, bearerTokenFrom } from './cli-fns.js';
import type { CliTokenService } from './cli-tokens.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      /** Set when the request authenticated with a CLI bearer token (the session is then ignored). */
      cliPrincipal?: Principal;
    }
  }
}

/**
 * Bearer authentication for `/api/*` (mount at `/api`, before every other
 * `/api` router). Without an `Authorization` header it does nothing. With
 * one, the request is authenticated by the CLI token alone — the session
 * cookie is never consulted for it — and only entitlements and grants are
 * reachable; `POST /api/cli/logout` passes through to revoke the token.
 */
export function cliBearerAuth(deps: { tokens: CliTokenService }): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerTokenFrom(req.get('authorization'));
    if (token === null) return next();
    if (req.method === 'POST' && req.path === '/cli/logout') return next();
    if (token === 'malformed') throw new AppError('UNAUTHENTICATED', 'The Authorization header does not hold a Rolegate CLI token');
    if (!bearerMayUse(req.method, req.path)) {
      throw new AppError('FORBIDDEN', 'A CLI token may only list entitlements and request grants');
    }
    const { principal } = await deps.tokens.authenticate(token);
    req.cliPrincipal = principal;
    next();
  };
}

/**
 * CSRF protection for cookie-authenticated requests only. A bearer request
 * cannot be forged by another site (browsers never attach the token on their
 * own) and its principal comes from the token, never from the cookie.
 */
export function csrfUnlessBearer(csrf: Csrf): RequestHandler {
  return (req, res, next) => {
    if (req.cliPrincipal) return next();
    csrf.csrfSynchronisedProtection(req, res, next);
  };
}
