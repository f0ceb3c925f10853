import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const AAD = Buffer.from('rolegate:oidc-refresh-token:v1');

/**
 * The key that seals OIDC refresh tokens at rest (sessions, pending CLI
 * sign-ins, CLI tokens), derived from SESSION_SECRET with HKDF-SHA-256 for
 * this one purpose: a database dump alone yields no usable refresh token.
 */
export function refreshTokenKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'rolegate', 'oidc refresh tokens at rest', 32));
}

/** Seals a refresh token with AES-256-GCM (random 96-bit IV): `v1.<iv>.<ciphertext>.<tag>`. */
export function sealRefreshToken(key: Buffer, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/**
 * Opens a sealed refresh token; null when it is malformed, sealed under
 * another key (SESSION_SECRET rotated) or altered (GCM tag) — a row edited
 * in the database cannot smuggle in a refresh token of its choosing.
 */
export function openRefreshToken(key: Buffer, box: string): string | null {
  const parts = box.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return null;
  try {
    const [iv, ct, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    if (iv!.length !== 12 || tag!.length !== 16) return null;
    const decipher = createDecipheriv('aes-256-gcm', key, iv!);
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(ct!), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
