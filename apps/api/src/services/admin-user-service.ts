import { AppError, type Clock, type Principal } from '@rolegate/core';
import type { Revocation } from '@rolegate/contract';
import type { AdminUserRepository } from '@rolegate/db';

/**
 * Admins cut people off: someone removed from an IdP group (or who left)
 * would otherwise keep their browser session and CLI token for hours. The
 * repository records every revocation in the change log, in the same
 * transaction. `afterCutOff` lets this instance drop its cached sessions at
 * once; other instances drop them on the session change notification.
 */
export function createAdminUserService(deps: {
  users: AdminUserRepository;
  clock: Clock;
  afterCutOff?: () => void;
  /** The revocation batch a cut-off wrote, as admins see it. */
  revocation: (batchId: string) => Promise<Revocation>;
}) {
  const { users, clock } = deps;
  const actorOf = (p: Principal) => ({ id: p.userId, email: p.email });

  async function requireUserById(id: string) {
    const user = await users.find(id);
    if (!user) throw new AppError('NOT_FOUND', `No person with id ${id}`);
    return user;
  }

  return {
    search: (q: string) => users.search(q),

    /** @throws AppError NOT_FOUND */
    async cliTokens(userId: string) {
      await requireUserById(userId);
      return users.listCliTokens(userId, clock.now());
    },

    /**
     * Ends all of a person's browser sessions, revokes all their CLI tokens
     * and, in the same transaction, writes person revocations for every
     * account where they were granted in the last 12 hours: every AWS session
     * of theirs issued before the cut-off (rounded up to the second) is
     * denied once the worker applies it. Sessions they start after signing in
     * again are not affected — and signing in again is the only way back,
     * since their sessions and tokens are gone.
     * @throws AppError NOT_FOUND
     */
    async cutOff(admin: Principal, userId: string) {
      const user = await requireUserById(userId);
      try {
        const done = await users.cutOff(user, actorOf(admin), clock.now(), { reason: 'cut off by an admin' });
        return { sessions: done.sessions, cliTokens: done.cliTokens, revocation: done.revocationBatch ? await deps.revocation(done.revocationBatch) : null };
      } finally {
        deps.afterCutOff?.();
      }
    },

    /** Revokes one CLI token of anyone. @throws AppError NOT_FOUND when there is no such active token */
    async revokeCliToken(admin: Principal, tokenId: string) {
      if (!(await users.revokeCliToken(tokenId, actorOf(admin), clock.now()))) throw new AppError('NOT_FOUND', 'No such active CLI token');
    },
  };
}

export type AdminUserService = ReturnType<typeof createAdminUserService>;
