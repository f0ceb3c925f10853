import { AppError } from '@rolegate/core';
import { db } from '../errors.js';
import type { PrismaClient, Tx } from '../client.js';
import type { Prisma } from '../generated/prisma/client.js';

/** Who made an admin change. */
export interface Actor {
  id: string | null;
  email: string;
}

export type ChangeAction = 'create' | 'update' | 'delete' | 'cut-off' | 'revoke';
export type ChangeEntity = 'mapping' | 'account' | 'user' | 'cli-token';

/** The actor of every change MAPPINGS_FILE makes (no person: the file is the author). */
export const MAPPINGS_FILE_ACTOR: Actor = Object.freeze({ id: null, email: 'mappings-file' });

/** Which file (and which exact bytes, by SHA-256) made a change. */
export interface ChangeSource {
  file: string;
  sha256: string;
}

export interface AdminChangeRecord {
  id: string;
  createdAt: Date;
  actor: Actor;
  action: ChangeAction;
  entity: ChangeEntity;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: ChangeSource | null;
}

export interface NewAdminChange {
  action: ChangeAction;
  entity: ChangeEntity;
  entityId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque keyset cursor over (createdAt desc, id desc). */
export function encodeKeysetCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

/** @throws AppError VALIDATION_FAILED naming `cursor` when it was not made by us. */
export function decodeKeysetCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const createdAt = new Date(parsed[0]);
      if (!Number.isNaN(createdAt.getTime()) && UUID.test(parsed[1])) return { createdAt, id: parsed[1] };
    }
  } catch {
    // not base64url JSON: fall through to the error
  }
  throw new AppError('VALIDATION_FAILED', 'cursor: is not valid (pass back the nextCursor of the previous page unchanged)', {
    issues: [{ path: 'cursor', message: 'cursor is not valid' }],
  });
}

/**
 * Records one admin change. Call it with the transaction that makes the
 * change, so the change and its record commit (or roll back) together.
 */
export async function recordAdminChange(tx: Tx, actor: Actor, change: NewAdminChange, source?: ChangeSource): Promise<void> {
  await tx.adminChange.create({
    data: {
      actorId: actor.id,
      actorEmail: actor.email,
      action: change.action,
      entity: change.entity,
      entityId: change.entityId,
      ...(change.before ? { before: change.before as Prisma.InputJsonValue } : {}),
      ...(change.after ? { after: change.after as Prisma.InputJsonValue } : {}),
      ...(source ? { sourceFile: source.file, sourceSha256: source.sha256 } : {}),
    },
  });
}

/** The append-only admin change log (readers; writes go through recordAdminChange). */
export function createAdminChangeRepository(prisma: PrismaClient) {
  return {
    /** Newest first, keyset-paginated. @throws AppError VALIDATION_FAILED for a bad cursor */
    list: (opts: { limit: number; cursor?: string | undefined; entity?: ChangeEntity | undefined; entityId?: string | undefined }) =>
      db(async () => {
        const after = opts.cursor ? decodeKeysetCursor(opts.cursor) : null;
        const rows = await prisma.adminChange.findMany({
          where: {
            ...(opts.entity ? { entity: opts.entity } : {}),
            ...(opts.entityId ? { entityId: opts.entityId } : {}),
            ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: opts.limit + 1,
        });
        const page = rows.slice(0, opts.limit);
        const last = page.at(-1);
        const items: AdminChangeRecord[] = page.map((r) => ({
          id: r.id,
          createdAt: r.createdAt,
          actor: { id: r.actorId, email: r.actorEmail },
          action: r.action as ChangeAction,
          entity: r.entity as ChangeEntity,
          entityId: r.entityId,
          before: (r.before as Record<string, unknown> | null) ?? null,
          after: (r.after as Record<string, unknown> | null) ?? null,
          source: r.sourceFile && r.sourceSha256 ? { file: r.sourceFile, sha256: r.sourceSha256 } : null,
        }));
        return { items, nextCursor: rows.length > opts.limit && last ? encodeKeysetCursor(last) : null };
      }),
  };
}

export type AdminChangeRepository = ReturnType<typeof createAdminChangeRepository>;
