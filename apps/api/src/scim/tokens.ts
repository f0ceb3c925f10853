import { createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** Every SCIM token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const SCIM_TOKEN_PREFIX = 'rgscim_';
const TOKEN_SHAPE = /^rgscim_[A-Za-z0-9_-]{43}$/;

/** The HMAC key for SCIM token hashes, derived from SCIM_TOKEN_SECRET (its own purpose label). */
export function scimTokenKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'rolegate', 'rolegate scim-token hash v1', 32));
}

/**
 * HMAC-SHA-256 of a token with the server key, as stored: whoever can write
 * a row (SQL injection, a restored dump) cannot mint a token that works,
 * because they do not hold SCIM_TOKEN_SECRET.
 */
export function scimTokenHash(key: Buffer, token: string): string {
  return createHmac('sha256', key).update(token).digest('hex');
}

/** A new token: 256 random bits. Shown once; only its hash is kept. */
export function newScimToken(): string {
  return SCIM_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The token of an `Authorization: Bearer` header; null when absent, 'malformed' when it cannot be ours. */
export function scimBearerOf(header: string | undefined): string | null | 'malformed' {
  if (header === undefined) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m || !TOKEN_SHAPE.test(m[1]!)) return 'malformed';
  return m[1]!;
}
