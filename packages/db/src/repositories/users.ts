import { db } from '../errors.js';
import type { PrismaClient } from '../client.js';

export interface SignedInIdentity {
  idp: 'oidc' | 'saml';
  issuer: string;
  subject: string;
  email: string;
  displayName: string;
  groups: string[];
}

/** People who signed in. */
export function createUserRepository(prisma: PrismaClient) {
  return {
    /** Creates or refreshes the user for a sign-in and returns its id. */
    upsertOnSignIn: (who: SignedInIdentity) =>
      db(async () => {
        const row = await prisma.user.upsert({
          where: { idp_issuer_subject: { idp: who.idp, issuer: who.issuer, subject: who.subject } },
          create: { ...who },
          update: { email: who.email, displayName: who.displayName, groups: who.groups, lastLoginAt: new Date() },
          select: { id: true },
        });
        return row.id;
      }),
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
