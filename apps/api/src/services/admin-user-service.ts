import { AppError, type Clock, type Principal } from '@rolegate/core';
import type { AdminUserRepository } from '@rolegate/db';

/**
 * Admins cut people off: someone removed from an IdP group (or who left)
 * would otherwise keep their browser session and CLI token for hours. The
 * repository records every revocation in the change log, in the same
 * transaction. `afterCutOff` lets this instance drop its cached sessions at
 * once; other instances drop them on the session change notification.
 */
export function createAdminUserService(deps: { users: AdminUserRepository; clock: Clock; afterCutOff?: () => void }) {
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
     * Ends all of a person's browser sessions and revokes all their CLI
     * tokens. AWS credentials already issued are not revoked at AWS (the
     * answer's `revocation` is null) and run until they expire.
     * @throws AppError NOT_FOUND
     */
    async cutOff(admin: Principal, userId: string) {
      const user = await requireUserById(userId);
      try {
        return { ...(await users.cutOff(user, actorOf(admin), clock.now())), revocation: null };
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
