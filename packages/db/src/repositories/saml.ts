import { db } from '../errors.js';
import type { PrismaClient } from '../client.js';

/** An outstanding AuthnRequest, as stored. */
export interface SamlRequestRecord {
  id: string;
  /** Digest of the browser session that started the sign-in (never the session id itself). */
  sessionId: string;
  returnTo: string;
}

/**
 * SAML state shared by every instance: outstanding AuthnRequest ids (single
 * use, bound to one browser) and the replay table of consumed assertions.
 */
export function createSamlRepository(prisma: PrismaClient) {
  return {
    /** Records an AuthnRequest id that one Response may answer within `ttlSeconds`. */
    createRequest: (r: SamlRequestRecord, ttlSeconds: number) =>
      db(async () => {
        await prisma.samlRequest.create({ data: { ...r, expiresAt: new Date(Date.now() + ttlSeconds * 1000) } });
      }),

    /**
     * When the request exists, is unexpired and was started by `sessionId`:
     * its creation time (read only; `consumeRequest` is what uses it up).
     */
    findRequest: (id: string, sessionId: string) =>
      db(async () => {
        const rows = await prisma.$queryRaw<{ created_at: Date }[]>`
          SELECT created_at FROM saml_requests WHERE id = ${id} AND session_id = ${sessionId} AND expires_at > now()`;
        return rows[0] ? { createdAt: rows[0].created_at } : null;
      }),

    /**
     * Deletes and returns the request when it exists, is unexpired and was
     * started by `sessionId`; null otherwise. The delete makes it single-use
     * even when two Responses race.
     */
    consumeRequest: (id: string, sessionId: string) =>
      db(async () => {
        const rows = await prisma.$queryRaw<{ id: string; session_id: string; return_to: string }[]>`
          DELETE FROM saml_requests WHERE id = ${id} AND session_id = ${sessionId} AND expires_at > now()
          RETURNING id, session_id, return_to`;
        const r = rows[0];
        return r ? ({ id: r.id, sessionId: r.session_id, returnTo: r.return_to } satisfies SamlRequestRecord) : null;
      }),

    /**
     * Marks the assertion (issuer, id) as used until `expiresAt`. Resolves
     * true the first time, false for a replay — atomically, in one statement,
     * so two instances receiving the same assertion cannot both succeed. A row
     * whose expiry has passed is taken over (the ID may be reused only after
     * the old assertion can no longer be accepted anyway).
     */
    markAssertionUsed: (issuer: string, assertionId: string, expiresAt: Date) =>
      db(async () => {
        const rows = await prisma.$queryRaw<{ assertion_id: string }[]>`
          INSERT INTO saml_assertions (issuer, assertion_id, expires_at)
          VALUES (${issuer}, ${assertionId}, ${expiresAt})
          ON CONFLICT (issuer, assertion_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, created_at = now()
            WHERE saml_assertions.expires_at <= now()
          RETURNING assertion_id`;
        return rows.length === 1;
      }),

    /** Deletes expired requests and replay rows; returns how many replay rows went. */
    purgeExpired: () =>
      db(async () => {
        const now = new Date();
        await prisma.samlRequest.deleteMany({ where: { expiresAt: { lt: now } } });
        const a = await prisma.samlAssertion.deleteMany({ where: { expiresAt: { lt: now } } });
        return a.count;
      }),
  };
}

export type SamlRepository = ReturnType<typeof createSamlRepository>;
