import { createHash, randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const encode = (bytes: Buffer, length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i]! & 31];
  return out;
};

/** A temporary access key id like AWS's: "ASIA" + 16 upper-case characters. */
export const newTemporaryAccessKeyId = (): string => 'ASIA' + encode(randomBytes(16), 16);

/** A 40-character secret access key. */
export const newSecretAccessKey = (): string => randomBytes(30).toString('base64');

/** A long opaque session token. */
export const newSessionToken = (): string => 'IQoJb3JpZ2luX2VtdRr' + randomBytes(300).toString('base64');

/** A long URL-safe opaque token (sign-in tokens, console session ids). */
export const newOpaqueToken = (bytes = 96): string => randomBytes(bytes).toString('base64url');

/** A stable unique id such as AROA… or AIDA… derived from a seed (21 characters, like AWS's). */
export const stableId = (prefix: 'AROA' | 'AIDA' | 'ANPA', seed: string): string => prefix + encode(createHash('sha256').update(seed).digest(), 17);
