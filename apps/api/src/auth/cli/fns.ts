// Security decisions of CLI sign-in and CLI bearer tokens, as small pure
// functions. Each comment names the attack it stops.
import { createHash, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { AppError } from '@rolegate/core';

/** Prefix of every CLI token, so secret scanners and people recognise one. */
export const CLI_TOKEN_PREFIX = 'rgcli_';

/** A new CLI token: 32 random bytes. Only its hash is ever stored. */
export function newCliToken(): string {
  return `${CLI_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** A one-time secret (login code, device code): 32 random bytes. */
export function newOneTimeSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a secret, as stored. A database dump holds no usable token,
 * code or device code; the secrets have 256 bits of entropy, so an unsalted
 * fast hash cannot be brute-forced.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/**
 * The server key for bearer-token hashes, derived from SESSION_SECRET with
 * HKDF (its own label, so it is never the cookie-signing key itself).
 */
export function bearerHashKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'rolegate', 'rolegate bearer-token hash v1', 32));
}

/**
 * HMAC-SHA-256 of a bearer secret with the server key, as stored. Stops token
 * minting by whoever can write one row (SQL injection, a leaked runtime
 * database password, a restored dump): with a plain hash they could insert
 * sha256(a secret of their choosing) and then present that secret; without
 * the key they cannot compute a hash the server will match.
 */
export function keyedSecretHash(key: Buffer, secret: string): string {
  return createHmac('sha256', key).update(secret, 'utf8').digest('base64url');
}

/** Shape of a token we issued; anything else is refused before a database lookup. */
export function looksLikeCliToken(value: string): boolean {
  return /^rgcli_[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * The token of `Authorization: Bearer <token>`: `null` when the header is
 * absent, `'malformed'` when present but not a bearer token of ours (so a
 * garbled header is refused instead of silently falling back to the cookie).
 */
export function bearerTokenFrom(header: string | undefined): string | null | 'malformed' {
  if (header === undefined) return null;
  const m = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!m?.[1] || !looksLikeCliToken(m[1])) return 'malformed';
  return m[1];
}

/**
 * Where a CLI token may be used: listing entitlements and requesting or
 * listing grants. A stolen CLI token must not read the audit log, change
 * mappings or act as a browser session (/api/me hands out a CSRF token).
 * `path` is relative to /api.
 */
export function bearerMayUse(method: string, path: string): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/entitlements') return method === 'GET' || method === 'HEAD';
  if (p === '/grants') return method === 'GET' || method === 'HEAD' || method === 'POST';
  // credential_process asks whether its cached grant still holds (revoked, ended) before handing it out.
  if (/^\/grants\/[^/]+\/status$/.test(p)) return method === 'GET' || method === 'HEAD';
  // Access requests: file, read, cancel, end and extend one's own. Never approve or deny:
  // an approval needs a fresh IdP sign-in, which a CLI token does not carry.
  if (p === '/requests') return method === 'GET' || method === 'HEAD' || method === 'POST';
  if (/^\/requests\/[^/]+$/.test(p)) return method === 'GET' || method === 'HEAD';
  if (/^\/requests\/[^/]+\/(cancel|end|extend)$/.test(p)) return method === 'POST';
  return false;
}

export type CliTokenState = 'active' | 'revoked' | 'expired';

/** Whether a stored token may still be used: a revoked or expired token never is. */
export function cliTokenState(t: { revokedAt: Date | null; expiresAt: Date }, now: Date): CliTokenState {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

const PKCE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * PKCE S256 (RFC 7636): the code handed to the loopback listener is useless
 * without the verifier that only the CLI which started the login holds. Stops
 * another local process (or a browser extension) that sees the redirect from
 * redeeming the code. Constant-time comparison.
 */
export function pkceMatches(verifier: unknown, challenge: string | null): boolean {
  if (typeof verifier !== 'string' || !PKCE_VERIFIER.test(verifier) || !challenge || !PKCE_CHALLENGE.test(challenge)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export interface LoopbackParams {
  port: number;
  state: string;
  codeChallenge: string;
  label: string;
}

/**
 * Validates the query of `/cli/login`. The port must be unprivileged, the
 * state long enough to be unguessable, the challenge an S256 digest. Only the
 * port comes from the request — never a host (see `loopbackRedirect`).
 * @throws AppError VALIDATION_FAILED
 */
export function parseLoopbackParams(q: Record<string, unknown>): LoopbackParams {
  const port = typeof q.port === 'string' && /^\d{4,5}$/.test(q.port) ? Number(q.port) : NaN;
  if (!(port >= 1024 && port <= 65535)) throw new AppError('VALIDATION_FAILED', 'port must be a number between 1024 and 65535');
  if (typeof q.state !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(q.state)) {
    throw new AppError('VALIDATION_FAILED', 'state must be 16 to 128 characters of [A-Za-z0-9_-]');
  }
  if (typeof q.code_challenge !== 'string' || !PKCE_CHALLENGE.test(q.code_challenge)) {
    throw new AppError('VALIDATION_FAILED', 'code_challenge must be an S256 PKCE challenge (43 characters)');
  }
  return { port, state: q.state, codeChallenge: q.code_challenge, label: cliLabel(q.label) };
}

/**
 * Where the browser takes the login code: always plain http to 127.0.0.1 on
 * the CLI's port. The host is fixed here, never read from the request, so a
 * crafted login link cannot send a code to a machine the attacker controls.
 */
export function loopbackRedirect(port: number, state: string, code: string): string {
  const u = new URL(`http://127.0.0.1:${port}/callback`);
  u.searchParams.set('state', state);
  u.searchParams.set('code', code);
  return u.toString();
}

/** A human label for a token (the CLI sends its host name): printable, at most 64 characters. */
export function cliLabel(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, 64);
}

/** Letters of device user codes: no vowels (no words), no look-alikes (RFC 8628 §6.1). */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** A short code such as `BDWP-HQRT` (20^8 ≈ 2.6·10^10 values, valid 10 minutes, entered only by a signed-in user with a CSRF token). */
export function newUserCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** The stored form of a typed user code (`bdwp hqrt` → `BDWP-HQRT`); null when it cannot be one. */
export function normalizeUserCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== 8 || [...s].some((c) => !USER_CODE_ALPHABET.includes(c))) return null;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * Whether a CLI token's groups must be confirmed at the IdP before use: it
 * holds a refresh token and its groups were last confirmed (or issued) at
 * least `intervalSeconds` ago. Without this, a person removed from a group at
 * the IdP would keep its roles through the CLI until the token expires.
 */
export function groupsRecheckDue(t: { refreshBox: string | null; groupsCheckedAt: Date | null; createdAt: Date }, now: Date, intervalSeconds: number): boolean {
  if (!t.refreshBox) return false;
  const since = (t.groupsCheckedAt ?? t.createdAt).getTime();
  return now.getTime() - since >= intervalSeconds * 1000;
}
