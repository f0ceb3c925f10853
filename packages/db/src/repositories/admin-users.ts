import { personCutOffTime } from '@rolegate/core';
import { db } from '../errors.js';
import type { PrismaClient, Tx } from '../client.js';
import { recordAdminChange, type Actor } from './admin-changes.js';
import { insertPersonRevocations, type Querier } from './revocations.js';
import { closeRequestsOfCutOff } from './requests.js';

/** A Prisma transaction as a plain-SQL querier (for the revocation rows written in the cut-off's transaction). */
const querierOf = (tx: Tx): Querier => ({
  query: async <T>(sql: string, params: unknown[] = []) => ({ rows: await tx.$queryRawUnsafe<T[]>(sql, ...params) }),
});

/** A person as an admin finds them: who, which groups at their last sign-in, when last seen. */
export interface AdminUserRecord {
  id: string;
  email: string;
  displayName: string;
  idp: 'oidc' | 'saml';
  groups: string[];
  lastSeenAt: Date;
}

/** A CLI token as an admin sees it (never the secret, never the hash). */
export interface AdminCliTokenRecord {
  id: string;
  userId: string;
  label: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `q` as a LIKE pattern that matches it literally anywhere (`%` and `_` in a search are not wildcards). */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const USER_SELECT = { id: true, email: true, displayName: true, idp: true, groups: true, lastLoginAt: true } as const;
type UserRow = { id: string; email: string; displayName: string; idp: 'oidc' | 'saml'; groups: string[]; lastLoginAt: Date };
const toUser = (u: UserRow): AdminUserRecord => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  idp: u.idp,
  groups: u.groups,
  lastSeenAt: u.lastLoginAt,
});

/**
 * Admin actions on people: find them, see their CLI tokens, cut them off.
 * Every revocation runs in one transaction with its admin_changes record.
 */
export function createAdminUserRepository(prisma: PrismaClient) {
  const activeTokens = (userId: string, now: Date) => ({ userId, revokedAt: null, expiresAt: { gt: now } });
  return {
    /** People whose email or name contains `q` (case-insensitive), most recently seen first. */
    search: (q: string, limit = 50) =>
      db(async () => {
        const pattern = containsPattern(q);
        const rows = await prisma.$queryRaw<UserRow[]>`
          SELECT id, email, display_name AS "displayName", idp::text AS idp, groups, last_login_at AS "lastLoginAt"
          FROM users WHERE email ILIKE ${pattern} OR display_name ILIKE ${pattern}
          ORDER BY last_login_at DESC, id LIMIT ${limit}`;
        return rows.map(toUser);
      }),

    /** One person, or null (also for ids that are not uuids). */
    find: (id: string) =>
      db(async () => {
        if (!UUID.test(id)) return null;
        const u = await prisma.user.findUnique({ where: { id }, select: USER_SELECT });
        return u ? toUser(u) : null;
      }),

    /** A person's CLI tokens that still work (not revoked, not expired), newest first. */
    listCliTokens: (userId: string, now: Date) =>
      db(async () =>
        (
          await prisma.cliToken.findMany({
            where: activeTokens(userId, now),
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            select: { id: true, userId: true, label: true, createdAt: true, expiresAt: true, lastUsedAt: true },
          })
        ).map((t): AdminCliTokenRecord => t),
      ),

    /**
     * Ends every browser session of the person, revokes every CLI token they
     * hold and drops the CLI sign-ins they approved, in one transaction with the change-log entry; returns how
     * many of each went. (Deleting the session rows NOTIFYs every instance,
     * which drops them from its cache.)
     */
    cutOff: (user: Pick<AdminUserRecord, 'id' | 'email'>, actor: Actor, now: Date, aws?: { reason: string }) =>
      db(() =>
        prisma.$transaction(async (tx: Tx) => {
          // Write-ahead: the person's revocation rows commit with the cut-off, before any IAM call.
          // The cut-off time is the database's (as for grants and SCIM), rounded up to the second.
          const q = querierOf(tx);
          const revocation = aws
            ? await insertPersonRevocations(q, {
                userIds: [user.id],
                revokedBefore: personCutOffTime((await q.query<{ now: Date }>(`SELECT now() AS now`)).rows[0]!.now),
                requester: { id: actor.id, email: actor.email, reason: aws.reason },
              })
            : null;
          const sessions = (await tx.webSession.deleteMany({ where: { userId: user.id } })).count;
          const cliTokens = (await tx.cliToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } })).count;
          // CLI sign-ins the person approved but the CLI has not redeemed yet would
          // otherwise mint a fresh token after the cut-off.
          await tx.cliLoginRequest.deleteMany({ where: { userId: user.id } });
          const requests = await closeRequestsOfCutOff(q, [user.id], { id: actor.id, email: actor.email }, 'cut off by an admin');
          await recordAdminChange(tx, actor, {
            action: 'cut-off',
            entity: 'user',
            entityId: user.id,
            before: null,
            after: {
              email: user.email,
              sessions,
              cliTokens,
              windowsEnded: requests.windows,
              requestsCancelled: requests.pending,
              ...(revocation ? { revocationBatch: revocation.batchId, accountIds: revocation.accountIds } : {}),
            },
          });
          return { sessions, cliTokens, revocationBatch: revocation && revocation.accountIds.length > 0 ? revocation.batchId : null };
        }),
      ),

    /** Revokes one active CLI token (anyone's) and records it; null when there is no such active token. */
    revokeCliToken: (id: string, actor: Actor, now: Date) =>
      db(async () => {
        if (!UUID.test(id)) return null;
        return prisma.$transaction(async (tx: Tx) => {
          const token = await tx.cliToken.findFirst({
            where: { id, revokedAt: null, expiresAt: { gt: now } },
            select: { id: true, userId: true, email: true, label: true },
          });
          if (!token) return null;
          await tx.cliToken.update({ where: { id }, data: { revokedAt: now } });
          await recordAdminChange(tx, actor, {
            action: 'revoke',
            entity: 'cli-token',
            entityId: id,
            before: null,
            after: { userId: token.userId, email: token.email, label: token.label },
          });
          return { id: token.id, userId: token.userId };
        });
      }),
  };
}

export type AdminUserRepository = ReturnType<typeof createAdminUserRepository>;
