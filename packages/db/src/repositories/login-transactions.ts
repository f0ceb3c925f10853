import { db } from '../errors.js';
import type { PrismaClient } from '../client.js';

export interface LoginTransaction {
  id: string;
  provider: string;
  sessionId: string;
  nonce: string | null;
  codeVerifier: string | null;
  returnTo: string;
}

/** Sign-ins in progress. Each is consumed at most once, by the browser session that began it. */
export function createLoginTransactionRepository(prisma: PrismaClient) {
  return {
    create: (t: LoginTransaction, ttlSeconds: number) =>
      db(async () => {
        await prisma.loginTransaction.create({ data: { ...t, expiresAt: new Date(Date.now() + ttlSeconds * 1000) } });
      }),
    /**
     * Deletes and returns the transaction when it exists, is unexpired and
     * belongs to `sessionId`; null otherwise. The delete makes it single-use
     * even when two callbacks race.
     */
    consume: (id: string, sessionId: string) =>
      db(async () => {
        const rows = await prisma.$queryRaw<
          { id: string; provider: string; session_id: string; nonce: string | null; code_verifier: string | null; return_to: string }[]
        >`DELETE FROM login_transactions WHERE id = ${id} AND session_id = ${sessionId} AND expires_at > now()
          RETURNING id, provider, session_id, nonce, code_verifier, return_to`;
        const r = rows[0];
        if (!r) return null;
        return {
          id: r.id,
          provider: r.provider,
          sessionId: r.session_id,
          nonce: r.nonce,
          codeVerifier: r.code_verifier,
          returnTo: r.return_to,
        } satisfies LoginTransaction;
      }),
  };
}

export type LoginTransactionRepository = ReturnType<typeof createLoginTransactionRepository>;
