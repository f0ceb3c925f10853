import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Principal } from '@rolegate/core';
import { AppError, isAppError } from '@rolegate/core';
import type { Csrf } from '../../middleware/csrf.js';
import type { FailureLimiter } from '../../middleware/failure-limit.js';
import { bearerMayUse, bearerTokenFrom } from './fns.js';
import type { CliTokenService } from './tokens.js';

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
 *
 * Failed tokens count per client address (`failures`, in memory): once over
 * the limit, every bearer request from that address is a 429 before any
 * database work — a token guesser (or a flood of junk tokens meant to load
 * the database) costs us nothing per attempt, valid tokens from that address
 * included, until the window ends.
 */
export function cliBearerAuth(deps: { tokens: CliTokenService; failures: FailureLimiter }): RequestHandler {
  return async (req, res, next) => {
    const token = bearerTokenFrom(req.get('authorization'));
    if (token === null) return next();
    if (req.method === 'POST' && req.path === '/cli/logout') return next();
    const address = `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    const waitMs = deps.failures.blockedFor(address);
    if (waitMs > 0) {
      res.set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw new AppError('RATE_LIMITED', 'Too many invalid CLI tokens from this address; try again later');
    }
    if (token === 'malformed') {
      deps.failures.fail(address);
      throw new AppError('UNAUTHENTICATED', 'The Authorization header does not hold a Rolegate CLI token');
    }
    if (!bearerMayUse(req.method, req.path)) {
      throw new AppError('FORBIDDEN', 'A CLI token may only list entitlements and request grants');
    }
    try {
      const { principal } = await deps.tokens.authenticate(token);
      req.cliPrincipal = principal;
    } catch (err) {
      if (isAppError(err, 'UNAUTHENTICATED')) deps.failures.fail(address);
      throw err;
    }
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
