import type { Request } from 'express';
import session from 'express-session';
import type { Principal } from '@rolegate/core';
import type { Csrf } from '../middleware/csrf.js';
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

/** express-session's callbacks as promises. */
function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
}
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
}
export function destroySession(req: Request): Promise<void> {
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
  await saveSession(req);
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
