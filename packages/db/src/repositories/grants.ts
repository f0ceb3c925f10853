import type { GrantRecord, GrantStore, NewGrant } from '@rolegate/core';
import { AppError } from '@rolegate/core';
import { db } from '../errors.js';
import type { Grant as GrantRow } from '../generated/prisma/client.js';
import type { Tx } from '../client.js';

function toRecord(row: GrantRow): GrantRecord {
  return {
    id: row.id,
    createdAt: row.createdAt,
    user: { id: row.userId, email: row.userEmail, subject: row.userSubject, idp: row.idp },
    groups: row.groups,
    mappingId: row.mappingId,
    accountId: row.accountId,
    roleArn: row.roleArn,
    roleSessionName: row.roleSessionName,
    sourceIdentity: row.sourceIdentity,
    kind: row.kind,
    durationSeconds: row.durationSeconds,
    expiresAt: row.expiresAt,
    reason: row.reason,
    status: row.status,
    stsRequestId: row.stsRequestId,
    accessKeyId: row.accessKeyId,
    clientIp: row.clientIp,
    userAgent: row.userAgent,
    error: row.error,
  };
}

export interface GrantPage {
  items: GrantRecord[];
  nextCursor: string | null;
}

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime()) && /^[0-9a-f-]{36}$/.test(parsed[1])) return { createdAt, id: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not valid');
}

/** Grant rows: the write-ahead audit record of every grant attempt. */
export function createGrantRepository(prisma: Tx) {
  const store: GrantStore = {
    insert: (g: NewGrant) =>
      db(async () =>
        toRecord(
          await prisma.grant.create({
            data: {
              userId: g.user.id,
              userEmail: g.user.email,
              userSubject: g.user.subject,
              idp: g.user.idp,
              groups: g.groups,
              mappingId: g.mappingId,
              accountId: g.accountId,
              roleArn: g.roleArn,
              roleSessionName: g.roleSessionName,
              sourceIdentity: g.sourceIdentity,
              kind: g.kind,
              durationSeconds: g.durationSeconds,
              reason: g.reason,
              status: g.status,
              clientIp: g.clientIp,
              userAgent: g.userAgent,
              error: g.error ?? null,
            },
          }),
        ),
      ),
    markIssued: (id, o) =>
      db(async () =>
        toRecord(
          await prisma.grant.update({
            where: { id },
            data: { status: 'issued', stsRequestId: o.stsRequestId, accessKeyId: o.accessKeyId, expiresAt: o.expiresAt, updatedAt: new Date() },
          }),
        ),
      ),
    markFailed: (id, o) =>
      db(async () =>
        toRecord(
          await prisma.grant.update({
            where: { id },
            data: {
              status: 'failed',
              error: o.error,
              stsRequestId: o.stsRequestId ?? null,
              accessKeyId: o.accessKeyId ?? null,
              updatedAt: new Date(),
            },
          }),
        ),
      ),
  };

  return {
    ...store,
    /** One grant by id, or null. */
    findById: (id: string) =>
      db(async () => {
        const row = await prisma.grant.findUnique({ where: { id } });
        return row ? toRecord(row) : null;
      }),
    /** A user's own grants, newest first, keyset-paginated. @throws AppError VALIDATION_FAILED for a bad cursor */
    listForUser: (userId: string, opts: { limit: number; cursor?: string | undefined }): Promise<GrantPage> =>
      db(async () => {
        const after = opts.cursor ? decodeCursor(opts.cursor) : null;
        const rows = await prisma.grant.findMany({
          where: {
            userId,
            ...(after
              ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
              : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: opts.limit + 1,
        });
        const page = rows.slice(0, opts.limit);
        const last = page.at(-1);
        return { items: page.map(toRecord), nextCursor: rows.length > opts.limit && last ? encodeCursor(last) : null };
      }),
  };
}

export type GrantRepository = ReturnType<typeof createGrantRepository>;
