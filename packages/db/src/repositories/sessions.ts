import { db } from '../errors.js';
import type { PrismaClient } from '../client.js';
import type { Prisma } from '../generated/prisma/client.js';

/** Server-side web sessions, keyed by a digest of the cookie value (never the value itself). */
export function createSessionRepository(prisma: PrismaClient) {
  return {
    get: (id: string) =>
      db(async () => {
        const row = await prisma.webSession.findUnique({ where: { id } });
        if (!row || row.expiresAt.getTime() <= Date.now()) return null;
        return row.data as Record<string, unknown>;
      }),
    set: (id: string, data: Record<string, unknown>, expiresAt: Date, userId: string | null) =>
      db(async () => {
        const json = data as Prisma.InputJsonObject;
        await prisma.webSession.upsert({
          where: { id },
          create: { id, data: json, expiresAt, userId },
          update: { data: json, expiresAt, userId, updatedAt: new Date() },
        });
      }),
    touch: (id: string, expiresAt: Date) =>
      db(async () => {
        await prisma.webSession.updateMany({ where: { id }, data: { expiresAt } });
      }),
    destroy: (id: string) =>
      db(async () => {
        await prisma.webSession.deleteMany({ where: { id } });
      }),
    /** Deletes expired sessions and login transactions; returns how many sessions went. */
    purgeExpired: () =>
      db(async () => {
        const now = new Date();
        const s = await prisma.webSession.deleteMany({ where: { expiresAt: { lt: now } } });
        await prisma.loginTransaction.deleteMany({ where: { expiresAt: { lt: now } } });
        return s.count;
      }),
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
