import { createHash } from 'node:crypto';
import type { Principal } from '@rolegate/core';
import { AppError, safeReturnTo } from '@rolegate/core';
import type { LoginTransactionRepository, UserRepository } from '@rolegate/db';
import type { OidcAdapter } from '../../adapters/oidc.js';
import type { Logger } from '../../logger.js';
import { sealRefreshToken } from './refresh-box.js';

const TRANSACTION_TTL_SECONDS = 600;

/** Binds a login transaction to one browser session without storing the session id. */
export function browserBinding(sessionId: string): string {
  return createHash('sha256').update(`login:${sessionId}`).digest('base64url');
}

/**
 * OIDC sign-in as a use case: `begin` stores a single-use transaction (state,
 * nonce, PKCE verifier, returnTo) bound to the browser session; `complete`
 * consumes it — only from the same browser, only once — and verifies the
 * IdP's answer.
 */
export function createOidcLoginService(deps: {
  oidc: OidcAdapter;
  transactions: LoginTransactionRepository;
  users: UserRepository;
  log: Logger;
  /** Seals the IdP's refresh token (OIDC_REFRESH_GROUPS); the plain token never leaves this service. */
  refreshKey?: Buffer;
}) {
  const { oidc, transactions, users } = deps;
  return {
    /** Starts a sign-in; `maxAgeSeconds` asks for a fresh authentication (step-up, OIDC `max_age`). */
    async begin(sessionId: string, returnTo: unknown, log: Logger = deps.log, opts: { maxAgeSeconds?: number } = {}): Promise<string> {
      let start;
      try {
        start = await oidc.start(opts);
      } catch (err) {
        log.warn({ err }, 'OIDC discovery failed');
        throw new AppError('LOGIN_FAILED', 'The identity provider is unreachable; try again shortly');
      }
      await transactions.create(
        {
          id: start.state,
          provider: 'oidc',
          sessionId: browserBinding(sessionId),
          nonce: start.nonce,
          codeVerifier: start.codeVerifier,
          returnTo: safeReturnTo(returnTo),
        },
        TRANSACTION_TTL_SECONDS,
      );
      return start.url;
    },

    /** @throws AppError LOGIN_FAILED for anything the IdP or the browser got wrong. */
    async complete(
      sessionId: string | undefined,
      callbackUrl: URL,
      log: Logger = deps.log,
    ): Promise<{ principal: Principal; returnTo: string; authTime: Date | null; refreshBox: string | null }> {
      const state = callbackUrl.searchParams.get('state');
      if (!state || !sessionId || state.length > 512) throw new AppError('LOGIN_FAILED', 'Sign-in failed: unknown or expired sign-in attempt');
      const tx = await transactions.consume(state, browserBinding(sessionId));
      if (!tx || tx.provider !== 'oidc' || !tx.nonce || !tx.codeVerifier) {
        throw new AppError('LOGIN_FAILED', 'Sign-in failed: unknown or expired sign-in attempt');
      }
      const idpError = callbackUrl.searchParams.get('error');
      if (idpError) throw new AppError('LOGIN_FAILED', 'Sign-in failed: the identity provider refused the request');
      let claims;
      try {
        claims = await oidc.finish(callbackUrl, { state, nonce: tx.nonce, codeVerifier: tx.codeVerifier });
      } catch (err) {
        log.warn({ reason: (err as { code?: string }).code ?? (err as Error).name }, 'OIDC sign-in refused');
        throw new AppError('LOGIN_FAILED', 'Sign-in failed: the identity provider response could not be verified');
      }
      const { authTime, refreshToken, ...identity } = claims;
      const userId = await users.upsertOnSignIn({ idp: 'oidc', ...identity });
      const principal: Principal = {
        userId,
        email: claims.email,
        displayName: claims.displayName,
        subject: claims.subject,
        idp: 'oidc',
        groups: claims.groups,
      };
      const refreshBox = refreshToken && deps.refreshKey ? sealRefreshToken(deps.refreshKey, refreshToken) : null;
      return { principal, returnTo: tx.returnTo, authTime, refreshBox };
    },
  };
}

export type OidcLoginService = ReturnType<typeof createOidcLoginService>;
