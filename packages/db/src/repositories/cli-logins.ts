import { db } from '../errors.js';
import type { PrismaClient } from '../client.js';
import type { Prisma } from '../generated/prisma/client.js';

/** The signed-in person a CLI login was approved by (the future token's identity). */
export interface CliLoginPrincipal {
  userId: string;
  email: string;
  displayName: string;
  subject: string;
  idp: 'oidc' | 'saml';
  groups: string[];
}

export interface ApprovedCliLogin {
  principal: CliLoginPrincipal;
  label: string;
  codeChallenge: string | null;
}

function principalOf(json: unknown): CliLoginPrincipal | null {
  const p = json as Partial<CliLoginPrincipal> | null;
  if (!p || typeof p.userId !== 'string' || !Array.isArray(p.groups)) return null;
  return p as CliLoginPrincipal;
}

/**
 * CLI sign-ins in progress (`cli_login_requests`): a loopback code approved
 * in the browser, or a device code waiting for the user to confirm its short
 * code. Every redemption is a conditional update, so each is single-use even
 * when two redemptions race.
 */
export function createCliLoginRepository(prisma: PrismaClient) {
  const purgeExpired = () => prisma.cliLoginRequest.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return {
    /** An approved loopback login whose code (stored as a hash) the CLI redeems with its PKCE verifier. */
    createLoopback: (r: {
      id: string;
      codeHash: string;
      codeChallenge: string;
      redirectPort: number;
      principal: CliLoginPrincipal;
      label: string;
      expiresAt: Date;
    }) =>
      db(async () => {
        await purgeExpired();
        await prisma.cliLoginRequest.create({
          data: {
            id: r.id,
            kind: 'loopback',
            codeHash: r.codeHash,
            codeChallenge: r.codeChallenge,
            redirectPort: r.redirectPort,
            status: 'approved',
            userId: r.principal.userId,
            principal: r.principal as unknown as Prisma.InputJsonObject,
            label: r.label,
            expiresAt: r.expiresAt,
          },
        });
      }),

    /** A pending device login: the CLI holds the device code (stored as a hash), the user types the short code. */
    createDevice: (r: { id: string; deviceCodeHash: string; userCode: string; label: string; expiresAt: Date }) =>
      db(async () => {
        await purgeExpired();
        await prisma.cliLoginRequest.create({
          data: { id: r.id, kind: 'device', deviceCodeHash: r.deviceCodeHash, userCode: r.userCode, status: 'pending', label: r.label, expiresAt: r.expiresAt },
        });
      }),

    /** Approves the pending, unexpired device login with this short code; false when there is none. */
    approveDevice: (userCode: string, principal: CliLoginPrincipal) =>
      db(async () => {
        const res = await prisma.cliLoginRequest.updateMany({
          where: { userCode, kind: 'device', status: 'pending', expiresAt: { gt: new Date() } },
          data: { status: 'approved', userId: principal.userId, principal: principal as unknown as Prisma.InputJsonObject },
        });
        return res.count === 1;
      }),

    /** Consumes an approved loopback code (once); null when unknown, used or expired. */
    redeemCode: (codeHash: string) =>
      db(async (): Promise<ApprovedCliLogin | null> => {
        const res = await prisma.cliLoginRequest.updateMany({
          where: { codeHash, kind: 'loopback', status: 'approved', expiresAt: { gt: new Date() } },
          data: { status: 'redeemed' },
        });
        if (res.count !== 1) return null;
        const row = await prisma.cliLoginRequest.findUnique({ where: { codeHash } });
        const principal = principalOf(row?.principal);
        return row && principal ? { principal, label: row.label, codeChallenge: row.codeChallenge } : null;
      }),

    /**
     * Consumes an approved device login (once). `pending` while the user has
     * not confirmed yet; null when unknown, used or expired.
     */
    redeemDevice: (deviceCodeHash: string) =>
      db(async (): Promise<ApprovedCliLogin | 'pending' | null> => {
        const res = await prisma.cliLoginRequest.updateMany({
          where: { deviceCodeHash, kind: 'device', status: 'approved', expiresAt: { gt: new Date() } },
          data: { status: 'redeemed' },
        });
        const row = await prisma.cliLoginRequest.findUnique({ where: { deviceCodeHash } });
        if (res.count !== 1) return row && row.status === 'pending' && row.expiresAt > new Date() ? 'pending' : null;
        const principal = principalOf(row?.principal);
        return row && principal ? { principal, label: row.label, codeChallenge: null } : null;
      }),
  };
}

export type CliLoginRepository = ReturnType<typeof createCliLoginRepository>;
