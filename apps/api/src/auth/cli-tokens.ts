import type { Clock, MappingSource, Principal } from '@rolegate/core';
import { AppError, entitlementsFor } from '@rolegate/core';
import type { CliTokenRecord, CliTokenRepository } from '@rolegate/db';
import { cliTokenState, keyedSecretHash, looksLikeCliToken, newCliToken } from './cli-fns.js';

/** How often `last_used_at` is written for a busy token (one write per minute at most). */
const TOUCH_INTERVAL_MS = 60_000;

export interface IssuedCliToken {
  id: string;
  token: string;
  expiresAt: Date;
  email: string;
}

/**
 * CLI bearer tokens: random 32-byte secrets handed out once and stored only
 * as HMAC-SHA-256 hashes under the server key `hashKey` (bearerHashKey). A token carries the identity and groups of the browser
 * sign-in that created it, lives `ttlSeconds` (8 h by default), and is
 * refused once revoked, expired, or once the mappings give its groups no role.
 */
export function createCliTokenService(deps: {
  tokens: CliTokenRepository;
  mappings: Pick<MappingSource, 'listEnabled'>;
  clock: Clock;
  ttlSeconds: number;
  /** Server key of the token hashes (bearerHashKey(SESSION_SECRET)). */
  hashKey: Buffer;
}) {
  const { tokens, mappings, clock } = deps;
  const hashSecret = (token: string) => keyedSecretHash(deps.hashKey, token);

  return {
    /** Issues a token for `principal` (the secret is returned here and never again). */
    async issue(principal: Principal, label: string): Promise<IssuedCliToken> {
      const token = newCliToken();
      const expiresAt = new Date(clock.now().getTime() + deps.ttlSeconds * 1000);
      const rec = await tokens.create({
        userId: principal.userId,
        tokenHash: hashSecret(token),
        label,
        idp: principal.idp,
        subject: principal.subject,
        email: principal.email,
        displayName: principal.displayName,
        groups: [...principal.groups],
        expiresAt,
      });
      return { id: rec.id, token, expiresAt: rec.expiresAt, email: rec.email };
    },

    /**
     * The principal a presented token stands for.
     * @throws AppError UNAUTHENTICATED (unknown, revoked or expired token),
     *   NOT_ENTITLED (its groups no longer map to any role), DATABASE_UNAVAILABLE.
     */
    async authenticate(token: string): Promise<{ principal: Principal; tokenId: string }> {
      if (!looksLikeCliToken(token)) throw new AppError('UNAUTHENTICATED', 'The CLI token is not valid; run `rolegate login`');
      const rec = await tokens.findByHash(hashSecret(token));
      const now = clock.now();
      if (!rec) throw new AppError('UNAUTHENTICATED', 'The CLI token is not valid; run `rolegate login`');
      const state = cliTokenState(rec, now);
      if (state === 'revoked') throw new AppError('UNAUTHENTICATED', 'The CLI token was revoked; run `rolegate login`', { reason: 'revoked' });
      if (state === 'expired') throw new AppError('UNAUTHENTICATED', 'The CLI token has expired; run `rolegate login`', { reason: 'expired' });
      // The groups are those of the sign-in that made the token; once an admin
      // removes their mappings the token must stop working, not live on for hours.
      if (entitlementsFor(rec.groups, await mappings.listEnabled()).length === 0) {
        throw new AppError('NOT_ENTITLED', 'Your groups no longer map to any role; the CLI token is no longer accepted');
      }
      if (!rec.lastUsedAt || now.getTime() - rec.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) await tokens.touch(rec.id, now);
      return { principal: principalOf(rec), tokenId: rec.id };
    },

    /** The user's active tokens (never the secrets). */
    list: (userId: string) => tokens.listActiveForUser(userId, clock.now()),

    /** Revokes one of the user's own tokens. @throws AppError NOT_FOUND when it is not theirs or not active. */
    async revoke(userId: string, id: string): Promise<void> {
      if (!(await tokens.revokeForUser(userId, id, clock.now()))) throw new AppError('NOT_FOUND', 'No such active CLI token');
    },

    /** Revokes the presented token itself (CLI logout); unknown or already revoked tokens are ignored. */
    async revokePresented(token: string): Promise<void> {
      if (looksLikeCliToken(token)) await tokens.revokeByHash(hashSecret(token), clock.now());
    },
  };
}

function principalOf(rec: CliTokenRecord): Principal {
  return { userId: rec.userId, email: rec.email, displayName: rec.displayName, subject: rec.subject, idp: rec.idp, groups: rec.groups };
}

export type CliTokenService = ReturnType<typeof createCliTokenService>;
