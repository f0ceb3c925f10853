import type { Clock, MappingSource, Principal } from '@rolegate/core';
import { AppError, entitlementsFor } from '@rolegate/core';
import type { CliTokenRecord, CliTokenRepository } from '@rolegate/db';
import { RefreshRefusedError, type RefreshedGroups } from '../../adapters/oidc.js';
import type { Logger } from '../../logger.js';
import { cliTokenState, groupsRecheckDue, keyedSecretHash, looksLikeCliToken, newCliToken } from './fns.js';
import { openRefreshToken, sealRefreshToken } from '../oidc/refresh-box.js';

/** Re-checking a CLI token's groups at the IdP (OIDC_REFRESH_GROUPS). */
export interface GroupsRecheck {
  /** Seconds a token's groups stay trusted before the next re-check (CLI_GROUPS_RECHECK_SECONDS). */
  intervalSeconds: number;
  /** Key of the sealed refresh tokens (refreshTokenKey(SESSION_SECRET)). */
  key: Buffer;
  /** Asks the IdP (OidcAdapter.refreshGroups). @throws RefreshRefusedError when the IdP refuses. */
  refresh(refreshToken: string, subject: string): Promise<RefreshedGroups>;
}

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
  /** Set with OIDC_REFRESH_GROUPS: tokens holding a refresh token have their groups re-checked. */
  groupsRecheck?: GroupsRecheck | null;
  log?: Pick<Logger, 'info' | 'warn'>;
}) {
  const { tokens, mappings, clock } = deps;
  const hashSecret = (token: string) => keyedSecretHash(deps.hashKey, token);

  /** Revokes the token after a failed re-check and refuses this request (401, reason revoked). */
  async function revokeForRecheck(rec: CliTokenRecord, now: Date, outcome: string): Promise<never> {
    await tokens.revokeAfterCheck(rec.id, now);
    deps.log?.warn({ event: 'cli-token-groups-rechecked', tokenId: rec.id, userId: rec.userId, outcome }, 'CLI token revoked by its group re-check');
    throw new AppError('UNAUTHENTICATED', 'The identity provider no longer vouches for your access; the CLI token was revoked — run `rolegate login`', {
      reason: 'revoked',
    });
  }

  /**
   * Asks the IdP for the person's groups now (refresh token) and stores them
   * on the token. A refusal by the IdP (person disabled, session revoked,
   * refresh token expired) or the loss of every entitled group revokes the
   * token; an IdP that cannot be reached refuses this request only.
   */
  async function recheckGroups(rec: CliTokenRecord, recheck: GroupsRecheck, now: Date): Promise<CliTokenRecord> {
    const refreshToken = openRefreshToken(recheck.key, rec.refreshBox!);
    if (!refreshToken) return revokeForRecheck(rec, now, 'refresh token unreadable');
    // Another request is re-checking this token right now: it alone uses the refresh token.
    if (!(await tokens.claimGroupsCheck(rec.id, rec.groupsCheckedAt, now))) return rec;
    let fresh: RefreshedGroups;
    try {
      fresh = await recheck.refresh(refreshToken, rec.subject);
    } catch (err) {
      if (err instanceof RefreshRefusedError) return revokeForRecheck(rec, now, `refused by the IdP: ${err.oauthError}`);
      await tokens.releaseGroupsCheck(rec.id, now, rec.groupsCheckedAt);
      deps.log?.warn(
        { event: 'cli-token-groups-rechecked', tokenId: rec.id, outcome: 'IdP unreachable', err: (err as Error).message },
        'CLI token group re-check failed',
      );
      throw new AppError('IDP_UNAVAILABLE', 'The identity provider could not confirm your groups; try again shortly');
    }
    if (entitlementsFor(fresh.groups, await mappings.listEnabled()).length === 0) return revokeForRecheck(rec, now, 'no entitled group left');
    await tokens.recordGroupsCheck(rec.id, { groups: fresh.groups, checkedAt: now, refreshBox: sealRefreshToken(recheck.key, fresh.refreshToken) });
    deps.log?.info(
      { event: 'cli-token-groups-rechecked', tokenId: rec.id, userId: rec.userId, outcome: 'confirmed', groups: fresh.groups },
      'CLI token groups re-checked',
    );
    return { ...rec, groups: fresh.groups, groupsCheckedAt: now };
  }

  return {
    /**
     * Issues a token for `principal` (the secret is returned here and never
     * again). `refreshBox`: the approving sign-in's sealed OIDC refresh token,
     * kept only while group re-checks are on.
     */
    async issue(principal: Principal & { refreshBox?: string }, label: string): Promise<IssuedCliToken> {
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
        ...(deps.groupsRecheck && principal.idp === 'oidc' && principal.refreshBox ? { refreshBox: principal.refreshBox, groupsCheckedAt: clock.now() } : {}),
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
      let rec = await tokens.findByHash(hashSecret(token));
      const now = clock.now();
      if (!rec) throw new AppError('UNAUTHENTICATED', 'The CLI token is not valid; run `rolegate login`');
      const state = cliTokenState(rec, now);
      if (state === 'revoked') throw new AppError('UNAUTHENTICATED', 'The CLI token was revoked; run `rolegate login`', { reason: 'revoked' });
      if (state === 'expired') throw new AppError('UNAUTHENTICATED', 'The CLI token has expired; run `rolegate login`', { reason: 'expired' });
      if (deps.groupsRecheck && groupsRecheckDue(rec, now, deps.groupsRecheck.intervalSeconds)) rec = await recheckGroups(rec, deps.groupsRecheck, now);
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
