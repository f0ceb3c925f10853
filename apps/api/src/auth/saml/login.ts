import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '@rolegate/core';
import { AppError, safeReturnTo } from '@rolegate/core';
import type { SamlRepository, SamlRequestRecord, UserRepository } from '@rolegate/db';
import type { Request, Response } from 'express';
import type { SamlSettings } from '../../config.js';
import type { Logger } from '../../logger.js';
import { checkAssertion, checkResponse, decodeSamlResponse, emailFrom, groupsFromAttribute, SAML_REQUEST_TTL_SECONDS, SamlCheckError } from './checks.js';
import type { SamlServiceProvider } from './sp.js';

/** The stored form of a browser binding secret (the secret itself stays in the browser's cookie). */
function bindingDigest(secret: string): string {
  return createHash('sha256').update(`saml:${secret}`).digest('base64url');
}

/**
 * passport-saml's `CacheProvider` for one request, over the saml_requests
 * table shared by every instance. Keys are AuthnRequest ids; every read and
 * delete is bound to this browser's digest (login CSRF: a Response answering
 * a request started in another browser finds nothing), and `removeAsync` is
 * the atomic DELETE … RETURNING, so of two racing Responses only one gets the
 * request (recorded in `consumed` for the login service).
 */
function requestCache(requests: SamlRepository, digest: string | null, returnTo: string) {
  const consumed: { tried: boolean; record: SamlRequestRecord | null } = { tried: false, record: null };
  return {
    consumed,
    async saveAsync(key: string, value: string) {
      if (!digest) throw new Error('no browser binding');
      await requests.createRequest({ id: key, sessionId: digest, returnTo }, SAML_REQUEST_TTL_SECONDS);
      return { value, createdAt: Date.now() };
    },
    async getAsync(key: string) {
      if (!digest) return null;
      const r = await requests.findRequest(key, digest);
      return r ? r.createdAt.toISOString() : null;
    },
    async removeAsync(key: string | null) {
      if (!digest || key === null) return null;
      const r = await requests.consumeRequest(key, digest);
      if (!consumed.tried) {
        consumed.tried = true;
        consumed.record = r;
      }
      return r ? key : null;
    },
  };
}

function failed(): AppError {
  return new AppError('LOGIN_FAILED', 'Sign-in failed: the identity provider response was refused');
}

/**
 * SAML sign-in as a use case, over passport-saml's strategy. `begin` has
 * the strategy redirect with a single-use AuthnRequest id, stored through
 * the cache provider bound to a random browser secret (the route keeps it in
 * a cookie); `complete` runs our pre-checks, the strategy (signatures,
 * Audience, times, InResponseTo through the same cache provider) and our
 * post-checks, makes sure the request id was consumed — only with the same
 * browser secret, only once — records the assertion in the replay table and
 * upserts the user.
 */
export function createSamlLoginService(deps: {
  sp: SamlServiceProvider;
  settings: Pick<SamlSettings, 'acsUrl' | 'idpIssuer' | 'allowIdpInitiated' | 'clockSkewMs' | 'maxAssertionAgeSeconds' | 'groupsAttribute' | 'emailAttribute'>;
  requests: SamlRepository;
  users: UserRepository;
  log: Logger;
  now?: () => number;
}) {
  const { sp, settings, requests, users } = deps;
  const now = deps.now ?? Date.now;
  return {
    /** A new random browser secret; the route keeps it in a cookie before calling `begin`. */
    newBrowserSecret: (): string => randomBytes(32).toString('base64url'),

    /**
     * Starts SP-initiated sign-in: answers `res` with passport-saml's
     * redirect to the IdP; the AuthnRequest id it generates is stored in
     * Postgres, bound to `browserSecret`, through the cache provider.
     */
    async begin(req: Request, res: Response, browserSecret: string, returnTo: unknown, opts: { forceAuthn?: boolean } = {}): Promise<void> {
      const cache = requestCache(requests, bindingDigest(browserSecret), safeReturnTo(returnTo));
      try {
        await sp.redirectToIdp(req, res, { cache, ...(opts.forceAuthn ? { forceAuthn: true } : {}) });
      } catch (err) {
        if (!(err instanceof SamlCheckError)) throw err;
        throw new AppError('VALIDATION_FAILED', 'Unexpected SAML parameters in the sign-in URL');
      }
    },

    /** @throws AppError LOGIN_FAILED for anything refused; nothing is written then except the consumed request id. */
    async complete(
      req: Request,
      res: Response,
      browserSecret: string | undefined,
      log: Logger = deps.log,
    ): Promise<{ principal: Principal; returnTo: string; authTime: Date | null }> {
      const digest = browserSecret ? bindingDigest(browserSecret) : null;
      const cache = requestCache(requests, digest, '/');
      let verified;
      let expiresAt: Date;
      try {
        const xml = decodeSamlResponse((req.body as Record<string, unknown> | undefined)?.SAMLResponse);
        verified = await sp.verify(req, res, xml, { cache });
        checkResponse(verified.response, settings);
        ({ expiresAt } = checkAssertion(verified.assertion, {
          acsUrl: settings.acsUrl,
          idpIssuer: settings.idpIssuer,
          inResponseTo: verified.response.inResponseTo,
          clockSkewMs: settings.clockSkewMs,
          maxAgeMs: settings.maxAssertionAgeSeconds * 1000,
          nowMs: now(),
        }));
      } catch (err) {
        if (!(err instanceof SamlCheckError)) throw err;
        log.warn({ reason: err.reason }, 'SAML response refused');
        throw failed();
      }

      let returnTo = '/';
      const inResponseTo = verified.response.inResponseTo;
      if (inResponseTo !== null) {
        // Single use, same browser only: a Response for someone else's request is worthless.
        // node-saml found the id through the cache (same browser, unexpired) and usually removed
        // it already; the DELETE that removed it is what makes it single-use. Where node-saml
        // did not remove it (no InResponseTo in SubjectConfirmationData), we consume it here.
        const request = cache.consumed.tried ? cache.consumed.record : digest ? await requests.consumeRequest(inResponseTo, digest) : null;
        if (!request || request.id !== inResponseTo) {
          log.warn({ reason: 'unknown, used or foreign InResponseTo' }, 'SAML response refused');
          throw failed();
        }
        returnTo = request.returnTo;
      }
      // Replay table shared by every instance: the assertion is accepted once, anywhere.
      if (!(await requests.markAssertionUsed(settings.idpIssuer, verified.assertion.id!, expiresAt))) {
        log.warn({ reason: 'assertion replayed' }, 'SAML response refused');
        throw failed();
      }

      const identity = {
        issuer: settings.idpIssuer,
        subject: verified.nameId,
        email: emailFrom(verified.attributes[settings.emailAttribute], verified.nameId),
        displayName: displayNameFrom(verified.attributes, verified.nameId),
        groups: groupsFromAttribute(verified.attributes[settings.groupsAttribute]),
      };
      const userId = await users.upsertOnSignIn({ idp: 'saml', ...identity });
      const principal: Principal = {
        userId,
        email: identity.email,
        displayName: identity.displayName,
        subject: identity.subject,
        idp: 'saml',
        groups: identity.groups,
      };
      return { principal, returnTo, authTime: authTimeOf(verified.authnInstant, now()) };
    },
  };
}

/**
 * The AuthnInstant as a time, when it is a UTC timestamp not in the future
 * (a forged "fresh" instant cannot come from a signed assertion, but an IdP
 * with a fast clock must not make a sign-in look fresher than it is).
 */
function authTimeOf(instant: string | null, nowMs: number): Date | null {
  if (!instant || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(instant)) return null;
  const ms = Date.parse(instant.replace(/(\.\d{3})\d+Z$/, '$1Z'));
  if (Number.isNaN(ms)) return null;
  return new Date(Math.min(ms, nowMs));
}

function displayNameFrom(attributes: Record<string, unknown>, fallback: string): string {
  for (const name of ['displayName', 'name', 'http://schemas.microsoft.com/identity/claims/displayname']) {
    const v = attributes[name];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return fallback;
}

export type SamlLoginService = ReturnType<typeof createSamlLoginService>;
