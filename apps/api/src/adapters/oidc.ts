import * as client from 'openid-client';
import type { OidcSettings } from '../config.js';

export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string;
  displayName: string;
  groups: string[];
  /** When the IdP authenticated the person (`auth_time`), or null when it did not say. */
  authTime: Date | null;
  /** The refresh token, kept only with OIDC_REFRESH_GROUPS (null otherwise or when the IdP issued none). */
  refreshToken: string | null;
}

/** What a refresh at the IdP says about the person now. */
export interface RefreshedGroups {
  groups: string[];
  /** The refresh token to keep (the IdP's new one when it rotates, else the one used). */
  refreshToken: string;
}

/** The IdP refused the refresh token (an OAuth error such as invalid_grant): the person's access is over. */
export class RefreshRefusedError extends Error {
  constructor(readonly oauthError: string) {
    super(`the IdP refused the refresh: ${oauthError}`);
  }
}

/**
 * The scopes to request: OIDC_SCOPES, plus `offline_access` when refresh
 * tokens are kept (most IdPs issue none without it).
 */
export function scopesFor(settings: Pick<OidcSettings, 'scopes' | 'refreshGroups'>): string {
  const scopes = settings.scopes.split(/\s+/).filter(Boolean);
  if (settings.refreshGroups && !scopes.includes('offline_access')) scopes.push('offline_access');
  return scopes.join(' ');
}

export interface OidcAuthStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Groups from a claim value, exactly as sent: an array of strings, or one
 * string as a single group ("a,b" stays one group named "a,b"). Anything else
 * yields no groups rather than a guess.
 */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/**
 * The email Rolegate names the user by (RoleSessionName, SourceIdentity,
 * audit). Only an email the IdP asserts as verified (`email_verified: true`,
 * the boolean, not the string "true") counts: at IdPs that let people type any
 * address, an unverified or unmarked email would let mallory appear in
 * CloudTrail and in the audit trail as ceo@example.com. Without one, the
 * configured username claim (off by default: `preferred_username` is
 * user-editable at many IdPs), then `sub`, which the IdP guarantees unique.
 * Emails are lower-cased so that Alice@Example.com and alice@example.com are
 * one person everywhere.
 */
export function emailFromClaims(claims: Record<string, unknown> & { sub: string }, usernameClaim?: string | null): string {
  if (typeof claims.email === 'string' && claims.email.length > 0 && claims.email_verified === true) return claims.email.toLowerCase();
  if (usernameClaim) {
    const value = claims[usernameClaim];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return claims.sub;
}

/**
 * OIDC sign-in with openid-client: authorization code + PKCE S256, state and
 * nonce, ID token signature verified against the IdP's JWKS with a pinned
 * algorithm. Discovery happens on first use and is retried after a failure.
 */
export function createOidcAdapter(settings: OidcSettings, redirectUri: string, timeoutMs = 10_000) {
  let configPromise: Promise<client.Configuration> | null = null;

  function configuration(): Promise<client.Configuration> {
    if (!configPromise) {
      const issuer = new URL(settings.issuer);
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      configPromise = client
        .discovery(issuer, settings.clientId, { id_token_signed_response_alg: settings.idTokenAlg }, client.ClientSecretBasic(settings.clientSecret), {
          execute: insecure ? [client.allowInsecureRequests] : [],
          timeout: Math.ceil(timeoutMs / 1000),
        })
        .then((config) => {
          client.enableNonRepudiationChecks(config);
          config.timeout = Math.ceil(timeoutMs / 1000);
          return config;
        })
        .catch((err: unknown) => {
          configPromise = null;
          throw err;
        });
    }
    return configPromise;
  }

  return {
    issuer: settings.issuer,
    /** Builds the authorization URL with fresh state, nonce and PKCE verifier. */
    async start(opts: { maxAgeSeconds?: number } = {}): Promise<OidcAuthStart> {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: scopesFor(settings),
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        // Step-up: the IdP must authenticate the person again unless it did so within max_age.
        ...(opts.maxAgeSeconds !== undefined ? { max_age: String(opts.maxAgeSeconds) } : {}),
      });
      return { url: url.href, state, nonce, codeVerifier };
    },
    /**
     * Exchanges the code and validates the ID token (signature, alg, iss, aud,
     * azp, exp, nonce); returns the claims Rolegate uses.
     * @throws Error from openid-client when any check fails.
     */
    async finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<OidcClaims> {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the IdP returned no ID token');
      const email = emailFromClaims(claims, settings.usernameClaim);
      const name = typeof claims.name === 'string' ? claims.name : email;
      return {
        issuer: claims.iss,
        subject: claims.sub,
        email,
        displayName: name,
        groups: groupsFromClaim(claims[settings.groupsClaim]),
        authTime: typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) ? new Date(claims.auth_time * 1000) : null,
        refreshToken: settings.refreshGroups && typeof tokens.refresh_token === 'string' ? tokens.refresh_token : null,
      };
    },
    /**
     * Uses the refresh token at the IdP and reads the person's groups now:
     * from the new ID token (verified like the first; its `sub` must be
     * `subject`), else from userinfo for that subject.
     * @throws RefreshRefusedError when the IdP answers with an OAuth error;
     *   any other Error when it cannot be asked (network, discovery).
     */
    async refreshGroups(refreshToken: string, subject: string): Promise<RefreshedGroups> {
      const config = await configuration();
      let tokens;
      try {
        tokens = await client.refreshTokenGrant(config, refreshToken);
      } catch (err) {
        if (err instanceof client.ResponseBodyError) throw new RefreshRefusedError(err.error);
        throw err;
      }
      const claims = tokens.claims();
      let source: Record<string, unknown>;
      if (claims) {
        // Another person's token in this row must not hand over their groups.
        if (claims.sub !== subject) throw new RefreshRefusedError('subject changed');
        source = claims;
      } else {
        source = await client.fetchUserInfo(config, tokens.access_token, subject);
      }
      return { groups: groupsFromClaim(source[settings.groupsClaim]), refreshToken: tokens.refresh_token ?? refreshToken };
    },
  };
}

export type OidcAdapter = ReturnType<typeof createOidcAdapter>;
