import { randomUUID } from 'node:crypto';
import type { Principal } from '@rolegate/core';
import { AppError } from '@rolegate/core';
import type { CliLoginRepository, PendingDeviceLogin } from '@rolegate/db';
import { cliLabel, keyedSecretHash, loopbackRedirect, newOneTimeSecret, newUserCode, normalizeUserCode, pkceMatches, type LoopbackParams } from './fns.js';
import type { CliTokenService, IssuedCliToken } from './tokens.js';

/** A loopback code lives only as long as the browser's hop back to the CLI. */
const LOOPBACK_CODE_TTL_SECONDS = 120;
/** A device login waits this long for the user to confirm its short code. */
const DEVICE_TTL_SECONDS = 600;
/** Seconds between the CLI's polls of a device login. */
export const DEVICE_POLL_INTERVAL_SECONDS = 2;
/** Timer and network jitter forgiven when judging a poll too fast. */
const POLL_JITTER_MS = 250;

/** The approving person as the future token will carry them; `refreshBox`: their sealed OIDC refresh token, if kept. */
function snapshot(p: Principal, refreshBox?: string | null) {
  return {
    userId: p.userId,
    email: p.email,
    displayName: p.displayName,
    subject: p.subject,
    idp: p.idp,
    groups: [...p.groups],
    ...(refreshBox ? { refreshBox } : {}),
  };
}

/**
 * CLI sign-in, approved in a signed-in browser, in two flavours:
 * - loopback: the browser confirms, the broker redirects to the CLI's
 *   127.0.0.1 listener with a one-time code; the CLI redeems it with its PKCE verifier;
 * - device: the CLI gets a device code and a short user code; the user types
 *   the short code in the browser; the CLI polls with the device code.
 * Either way the token is issued only on redemption, once.
 */
export function createCliLoginService(deps: { logins: CliLoginRepository; tokens: CliTokenService; publicUrl: string; hashKey: Buffer }) {
  const { logins, tokens } = deps;
  // Keyed like the tokens: whoever can write a row cannot plant a code it knows.
  const hashSecret = (secret: string) => keyedSecretHash(deps.hashKey, secret);
  const expiry = (seconds: number) => new Date(Date.now() + seconds * 1000);

  return {
    /** Records the browser's approval and returns the loopback URL carrying the one-time code. */
    async approveLoopback(principal: Principal, params: LoopbackParams, refreshBox?: string | null): Promise<string> {
      const code = newOneTimeSecret();
      await logins.createLoopback({
        id: randomUUID(),
        codeHash: hashSecret(code),
        codeChallenge: params.codeChallenge,
        redirectPort: params.port,
        principal: snapshot(principal, refreshBox),
        label: params.label,
        expiresAt: expiry(LOOPBACK_CODE_TTL_SECONDS),
      });
      return loopbackRedirect(params.port, params.state, code);
    },

    /**
     * Starts a device login for the client at `ctx` (shown to the approver).
     * The device code is returned once and stored only as a hash. There is
     * deliberately no `verification_uri_complete`: the person types the code
     * (RFC 8628 §5.4), so a link carrying someone else's code approves nothing.
     */
    async startDevice(label: unknown, ctx: { clientIp: string | null; userAgent: string | null } = { clientIp: null, userAgent: null }) {
      const deviceCode = newOneTimeSecret();
      const userCode = newUserCode();
      await logins.createDevice({
        id: randomUUID(),
        deviceCodeHash: hashSecret(deviceCode),
        userCode,
        label: cliLabel(label),
        clientIp: ctx.clientIp,
        userAgent: ctx.userAgent,
        expiresAt: expiry(DEVICE_TTL_SECONDS),
      });
      return {
        deviceCode,
        userCode,
        verificationUri: `${deps.publicUrl}/cli/device`,
        expiresIn: DEVICE_TTL_SECONDS,
        interval: DEVICE_POLL_INTERVAL_SECONDS,
      };
    },

    /** The pending device login a typed code names, for the approval page. @throws AppError LOGIN_FAILED when there is none. */
    async lookupDevice(typed: unknown): Promise<PendingDeviceLogin & { userCode: string }> {
      const userCode = normalizeUserCode(typed);
      const pending = userCode ? await logins.findPendingDevice(userCode) : null;
      if (!userCode || !pending)
        throw new AppError('LOGIN_FAILED', 'That code is unknown, expired or already used; check your terminal, or run `rolegate login` again');
      return { ...pending, userCode };
    },

    /** The signed-in user approves a short code. @throws AppError LOGIN_FAILED when no pending login has it. */
    async approveDevice(principal: Principal, typed: unknown, refreshBox?: string | null): Promise<void> {
      const userCode = normalizeUserCode(typed);
      if (!userCode || !(await logins.approveDevice(userCode, snapshot(principal, refreshBox)))) {
        throw new AppError('LOGIN_FAILED', 'That code is unknown, expired or already used; start `rolegate login` again');
      }
    },

    /** The signed-in user refuses a short code: the CLI's next poll gets access_denied. */
    async denyDevice(typed: unknown): Promise<void> {
      const userCode = normalizeUserCode(typed);
      if (!userCode || !(await logins.denyDevice(userCode))) throw new AppError('LOGIN_FAILED', 'That code is unknown, expired or already decided');
    },

    /**
     * Redeems a loopback code (with its PKCE verifier) or a device code for a token.
     * @throws AppError LOGIN_FAILED (unknown, used or expired code; wrong
     *   verifier), AUTHORIZATION_PENDING (device code not confirmed yet).
     */
    async redeem(body: { code: string; codeVerifier: string } | { deviceCode: string }): Promise<IssuedCliToken> {
      if ('deviceCode' in body) {
        // RFC 8628 §3.5: polled faster than the interval → slow_down (per device code).
        const r = await logins.pollDevice(hashSecret(body.deviceCode), DEVICE_POLL_INTERVAL_SECONDS * 1000 - POLL_JITTER_MS);
        if (r === 'pending') throw new AppError('AUTHORIZATION_PENDING', 'Waiting for the code to be confirmed in the browser');
        if (r === 'slow_down') throw new AppError('SLOW_DOWN', `Polled too fast; wait ${DEVICE_POLL_INTERVAL_SECONDS + 5} seconds between polls`);
        if (r === 'expired') throw new AppError('EXPIRED_TOKEN', 'The code expired before it was confirmed; run `rolegate login` again');
        if (r === 'denied') throw new AppError('ACCESS_DENIED', 'The sign-in was denied in the browser');
        if (!r) throw new AppError('LOGIN_FAILED', 'The device login is unknown or already used');
        return tokens.issue({ ...r.principal }, r.label);
      }
      const r = await logins.redeemCode(hashSecret(body.code));
      // The code is consumed even when the verifier is wrong: a code seen by
      // someone else is burnt by their first attempt.
      if (!r || !pkceMatches(body.codeVerifier, r.codeChallenge))
        throw new AppError('LOGIN_FAILED', 'The login code is unknown, expired, already used or does not match');
      return tokens.issue({ ...r.principal }, r.label);
    },
  };
}

export type CliLoginService = ReturnType<typeof createCliLoginService>;
