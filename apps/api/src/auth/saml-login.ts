import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '@rolegate/core';
import { AppError, safeReturnTo } from '@rolegate/core';
import type { SamlRepository, UserRepository } from '@rolegate/db';
import type { SamlSettings } from '../config.js';
import type { Logger } from '../logger.js';
import { checkAssertion, checkResponse, decodeSamlResponse, emailFrom, groupsFromAttribute, SamlCheckError } from './saml-checks.js';
import type { SamlServiceProvider } from './saml-sp.js';

const REQUEST_TTL_SECONDS = 600;

/** The stored form of a browser binding secret (the secret itself stays in the browser's cookie). */
function bindingDigest(secret: string): string {
  return createHash('sha256').update(`saml:${secret}`).digest('base64url');
}

function failed(): AppError {
  return new AppError('LOGIN_FAILED', 'Sign-in failed: the identity provider response was refused');
}

/**
 * SAML sign-in as a use case. `begin` stores a single-use AuthnRequest id
 * bound to a random browser secret (the route keeps it in a cookie);
 * `complete` verifies the Response (node-saml plus our checks), consumes the
 * request id — only with the same browser secret, only once — records the
 * assertion in the replay table and upserts the user.
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
    /** Starts SP-initiated sign-in; returns the IdP URL and the browser secret to keep in a cookie. */
    async begin(returnTo: unknown, opts: { forceAuthn?: boolean } = {}): Promise<{ url: string; browserSecret: string }> {
      const requestId = `_${randomBytes(20).toString('hex')}`;
      const browserSecret = randomBytes(32).toString('base64url');
      const url = await sp.loginUrl(requestId, opts);
      await requests.createRequest({ id: requestId, sessionId: bindingDigest(browserSecret), returnTo: safeReturnTo(returnTo) }, REQUEST_TTL_SECONDS);
      return { url, browserSecret };
    },

    /** @throws AppError LOGIN_FAILED for anything refused; nothing is written then except the consumed request id. */
    async complete(browserSecret: string | undefined, samlResponse: unknown, log: Logger = deps.log): Promise<{ principal: Principal; returnTo: string; authTime: Date | null }> {
      let verified;
      let expiresAt: Date;
      try {
        const xml = decodeSamlResponse(samlResponse);
        verified = await sp.verify(xml, samlResponse as string);
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
        const request = browserSecret ? await requests.consumeRequest(inResponseTo, bindingDigest(browserSecret)) : null;
        if (!request) {
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
