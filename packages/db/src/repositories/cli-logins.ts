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
  /** The approving person's OIDC refresh token, sealed by the app (OIDC_REFRESH_GROUPS). */
  refreshBox?: string;
}

export interface ApprovedCliLogin {
  principal: CliLoginPrincipal;
  label: string;
  codeChallenge: string | null;
}

/** A device sign-in waiting for its short code, as the approval page shows it. */
export interface PendingDeviceLogin {
  id: string;
  label: string;
  clientIp: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** What polling a device code yields (RFC 8628 §3.5), or the approved login. */
export type DevicePoll = ApprovedCliLogin | 'pending' | 'slow_down' | 'expired' | 'denied' | null;

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
    createDevice: (r: {
      id: string;
      deviceCodeHash: string;
      userCode: string;
      label: string;
      clientIp: string | null;
      userAgent: string | null;
      expiresAt: Date;
    }) =>
      db(async () => {
        await purgeExpired();
        await prisma.cliLoginRequest.create({
          data: {
            id: r.id,
            kind: 'device',
            deviceCodeHash: r.deviceCodeHash,
            userCode: r.userCode,
            status: 'pending',
            label: r.label,
            clientIp: r.clientIp,
            userAgent: r.userAgent,
            expiresAt: r.expiresAt,
          },
        });
      }),

    /** The pending, unexpired device login with this short code, for the approval page; null when there is none. */
    findPendingDevice: (userCode: string) =>
      db(async (): Promise<PendingDeviceLogin | null> => {
        const row = await prisma.cliLoginRequest.findFirst({ where: { userCode, kind: 'device', status: 'pending', expiresAt: { gt: new Date() } } });
        return row
          ? { id: row.id, label: row.label, clientIp: row.clientIp, userAgent: row.userAgent, createdAt: row.createdAt, expiresAt: row.expiresAt }
          : null;
      }),

    /** Denies the pending, unexpired device login with this short code: its poll then answers access_denied. */
    denyDevice: (userCode: string) =>
      db(async () => {
        const res = await prisma.cliLoginRequest.updateMany({
          where: { userCode, kind: 'device', status: 'pending', expiresAt: { gt: new Date() } },
          data: { status: 'denied' },
        });
        return res.count === 1;
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
     * One poll of a device code (RFC 8628 §3.5): consumes an approved login
     * (once); `slow_down` when polled again within `minIntervalMs`;
     * `pending` while not decided; `denied`; `expired`; null when unknown or
     * already used.
     */
    pollDevice: (deviceCodeHash: string, minIntervalMs: number) =>
      db(async (): Promise<DevicePoll> => {
        const now = new Date();
        const row = await prisma.cliLoginRequest.findUnique({ where: { deviceCodeHash } });
        if (!row || row.kind !== 'device' || row.status === 'redeemed') return null;
        if (row.expiresAt <= now) return 'expired';
        if (row.status === 'denied') return 'denied';
        // Each poll claims the slot atomically: parallel polls of one code cannot all pass.
        const polled = await prisma.cliLoginRequest.updateMany({
          where: { deviceCodeHash, OR: [{ lastPolledAt: null }, { lastPolledAt: { lt: new Date(now.getTime() - minIntervalMs) } }] },
          data: { lastPolledAt: now },
        });
        if (polled.count !== 1) return 'slow_down';
        if (row.status === 'pending') return 'pending';
        const res = await prisma.cliLoginRequest.updateMany({
          where: { deviceCodeHash, kind: 'device', status: 'approved', expiresAt: { gt: now } },
          data: { status: 'redeemed' },
        });
        const principal = principalOf(row.principal);
        return res.count === 1 && principal ? { principal, label: row.label, codeChallenge: null } : null;
      }),
  };
}

export type CliLoginRepository = ReturnType<typeof createCliLoginRepository>;
