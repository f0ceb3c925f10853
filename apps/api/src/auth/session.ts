import session from 'express-session';
import type { Principal } from '@rolegate/core';
import type { SessionRepository } from '@rolegate/db';
import { PostgresSessionStore } from './session-store.js';

declare module 'express-session' {
  interface SessionData {
    principal?: Principal;
    signedInAt?: string;
    /** When the IdP last authenticated the person (OIDC auth_time, SAML AuthnInstant); unset when it did not say. */
    authTime?: string;
    /** The IdP's refresh token, sealed (refresh-box.ts), when OIDC_REFRESH_GROUPS keeps one. */
    refreshBox?: string;
  }
}

export const SESSION_COOKIE_SECURE = '__Host-rolegate.sid';
export const SESSION_COOKIE_PLAIN = 'rolegate.sid';

/**
 * Server-side sessions. Cookies are HttpOnly and SameSite=Lax always, Secure
 * with the `__Host-` prefix whenever PUBLIC_URL is https. Lax (not Strict)
 * so that the IdP's redirect back to us carries the cookie the login
 * transaction is bound to.
 */
export function sessionMiddleware(opts: { repo: SessionRepository; secret: string; ttlSeconds: number; secure: boolean }) {
  return session({
    name: opts.secure ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN,
    secret: opts.secret,
    store: new PostgresSessionStore(opts.repo, opts.secret, opts.ttlSeconds),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // 'keep', never 'destroy': when the session read fails (database down, pool
    // exhausted, statement timeout) req.session stays unset, and 'destroy'
    // then deleted the session at the end of the 503 — signing the person out
    // once the database answered, or, when the delete failed too, resetting
    // the keep-alive connection. Sign-out destroys explicitly.
    unset: 'keep',
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/', maxAge: opts.ttlSeconds * 1000 },
  });
}
