import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { AppError } from '@rolegate/core';

/**
 * Synchronizer-token CSRF protection (csrf-sync): the token lives in the
 * server-side session and must come back in `x-csrf-token` (or the `_csrf`
 * form field of a plain HTML form) on every state-changing request.
 */
export function createCsrf() {
  return csrfSync({
    getTokenFromRequest: (req: Request) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const body = req.body as { _csrf?: unknown } | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
    errorConfig: { statusCode: 403, message: 'Missing or invalid CSRF token', code: 'EBADCSRFTOKEN' },
  });
}

export type Csrf = ReturnType<typeof createCsrf>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when a browser tells us a state-changing request comes from another
 * site. Defence in depth next to the CSRF token: a cross-site form post, a
 * `fetch` from an attacker's page, or a sibling subdomain (`Sec-Fetch-Site:
 * same-site`, which SameSite=Lax cookies do not stop) is refused even if a
 * token leaked. `Origin: null` (sandboxed frames, data: URLs) is refused too.
 * Requests with neither header (curl, the CLI) are left to the token check.
 */
export function isCrossOriginWrite(method: string, headers: { origin?: string | undefined; secFetchSite?: string | undefined }, publicOrigin: string): boolean {
  if (SAFE_METHODS.has(method)) return false;
  // Fetch metadata first: browsers set it themselves and pages cannot forge
  // it. A form posted from one of our own pages that carries
  // `Referrer-Policy: no-referrer` arrives with `Origin: null` but
  // `Sec-Fetch-Site: same-origin` (Chromium and Firefox both do this), and
  // must be accepted — refusing it broke `rolegate login` in real browsers.
  if (headers.secFetchSite === 'same-origin') return false;
  if (headers.secFetchSite !== undefined && headers.secFetchSite !== 'none') return true;
  // No fetch metadata (older browsers) or a user-initiated navigation: Origin decides.
  if (headers.origin !== undefined && headers.origin !== publicOrigin) return true;
  return false;
}

/** Refuses cross-origin state-changing requests with 403 CSRF_INVALID (see isCrossOriginWrite). */
export function sameOriginWrites(publicUrl: string): RequestHandler {
  const publicOrigin = new URL(publicUrl).origin;
  return (req, _res, next) => {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    if (isCrossOriginWrite(req.method, { origin: header('origin'), secFetchSite: header('sec-fetch-site') }, publicOrigin)) {
      next(new AppError('CSRF_INVALID', 'Cross-site request refused'));
      return;
    }
    next();
  };
}
