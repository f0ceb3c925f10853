import { db } from '../errors.js';
import type { PrismaClient } from '../client.js';
import type { CliToken as CliTokenRow } from '../generated/prisma/client.js';

/** A CLI token as stored: the secret itself is never kept, only its hash. */
export interface CliTokenRecord {
  id: string;
  userId: string;
  label: string;
  idp: 'oidc' | 'saml';
  subject: string;
  email: string;
  displayName: string;
  groups: string[];
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  /** Sealed OIDC refresh token used to re-check the groups; null when there is none. */
  refreshBox: string | null;
  /** When the groups were last confirmed at the IdP (null: never since issue). */
  groupsCheckedAt: Date | null;
}

/** A token to store: the record's fields the caller decides, and the hash of the secret. */
export type NewCliToken = Omit<CliTokenRecord, 'id' | 'createdAt' | 'revokedAt' | 'lastUsedAt' | 'refreshBox' | 'groupsCheckedAt'> & {
  tokenHash: string;
  refreshBox?: string | null;
  groupsCheckedAt?: Date | null;
};

function toRecord(r: CliTokenRow): CliTokenRecord {
  return {
    id: r.id,
    userId: r.userId,
    label: r.label,
    idp: r.idp,
    subject: r.subject,
    email: r.email,
    displayName: r.displayName,
    groups: r.groups,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    lastUsedAt: r.lastUsedAt,
    refreshBox: r.refreshBox,
    groupsCheckedAt: r.groupsCheckedAt,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** CLI bearer tokens (`cli_tokens`), looked up by the SHA-256 of the secret. */
export function createCliTokenRepository(prisma: PrismaClient) {
  return {
    /** Stores a new token (its hash only) and returns the record. */
    create: (t: NewCliToken) => db(async () => toRecord(await prisma.cliToken.create({ data: t }))),

    /** The token with this hash, whatever its state (the caller decides whether it is usable). */
    findByHash: (tokenHash: string) =>
      db(async () => {
        const row = await prisma.cliToken.findUnique({ where: { tokenHash } });
        return row ? toRecord(row) : null;
      }),

    /** A user's tokens that are neither revoked nor expired, newest first. */
    listActiveForUser: (userId: string, now: Date, limit = 100) =>
      db(async () =>
        (
          await prisma.cliToken.findMany({
            where: { userId, revokedAt: null, expiresAt: { gt: now } },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
            take: limit,
          })
        ).map(toRecord),
      ),

    /** Revokes one of the user's own tokens; false when there is no such active token of theirs. */
    revokeForUser: (userId: string, id: string, now: Date) =>
      db(async () => {
        if (!UUID.test(id)) return false;
        const res = await prisma.cliToken.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: now } });
        return res.count === 1;
      }),

    /** Revokes the token with this hash; false when it was unknown or already revoked. */
    revokeByHash: (tokenHash: string, now: Date) =>
      db(async () => {
        const res = await prisma.cliToken.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: now } });
        return res.count === 1;
      }),

    /**
     * Records a re-check of the token's groups at the IdP: the groups now,
     * when, and the (possibly rotated) sealed refresh token. Only an active
     * token is updated; false otherwise.
     */
    recordGroupsCheck: (id: string, check: { groups: string[]; checkedAt: Date; refreshBox: string }) =>
      db(async () => {
        const res = await prisma.cliToken.updateMany({
          where: { id, revokedAt: null },
          data: { groups: check.groups, groupsCheckedAt: check.checkedAt, refreshBox: check.refreshBox },
        });
        return res.count === 1;
      }),

    /**
     * Claims the next group re-check of an active token: moves
     * `groups_checked_at` from `previous` (what the caller read) to `at`.
     * True for exactly one of several concurrent callers, so one refresh
     * token is used once (IdPs that rotate refresh tokens treat a reuse as theft).
     */
    claimGroupsCheck: (id: string, previous: Date | null, at: Date) =>
      db(async () => {
        const res = await prisma.cliToken.updateMany({ where: { id, revokedAt: null, groupsCheckedAt: previous }, data: { groupsCheckedAt: at } });
        return res.count === 1;
      }),

    /** Gives a claimed re-check back (the IdP could not be asked): the next use tries again. */
    releaseGroupsCheck: (id: string, claimedAt: Date, previous: Date | null) =>
      db(async () => {
        await prisma.cliToken.updateMany({ where: { id, groupsCheckedAt: claimedAt }, data: { groupsCheckedAt: previous } });
      }),

    /** Revokes a token after a failed re-check (groups checked then, refresh token dropped). */
    revokeAfterCheck: (id: string, at: Date) =>
      db(async () => {
        await prisma.cliToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at, groupsCheckedAt: at, refreshBox: null } });
      }),

    /** Records when a token was last used. */
    touch: (id: string, at: Date) =>
      db(async () => {
        await prisma.cliToken.updateMany({ where: { id }, data: { lastUsedAt: at } });
      }),
  };
}

export type CliTokenRepository = ReturnType<typeof createCliTokenRepository>;
