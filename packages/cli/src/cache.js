import { createHash } from 'node:crypto';
import path from 'node:path';
import { readJson, writeSecretJson } from './files.js';
import { cacheDir } from './session.js';

/** Cached credentials are reused until this long before they expire. */
export const REFRESH_BEFORE_MS = 5 * 60 * 1000;

/**
 * @typedef {object} ProcessCredentials credential_process output (Version 1)
 * @property {1} Version
 * @property {string} AccessKeyId
 * @property {string} SecretAccessKey
 * @property {string} SessionToken
 * @property {string} Expiration ISO-8601
 * @property {string} [GrantId] the grant the set came from (kept in the cache only, never printed)
 */

/**
 * The cache file for one role of one login. The token id is part of the key,
 * so a new login (perhaps as someone else) never reuses older credentials;
 * so is the requested duration, so `--duration 2h` never gets a cached 1 h set.
 * @param {string} dir config folder
 * @param {{ url: string, tokenId: string, account: string, role: string, reason?: string | undefined, durationSeconds?: number | undefined, window?: string | undefined }} k
 */
export function cacheFile(dir, k) {
  const key = createHash('sha256')
    .update(JSON.stringify([k.url, k.tokenId, k.account, k.role, k.reason ?? '', k.durationSeconds ?? 'default', ...(k.window ? [k.window] : [])]))
    .digest('hex')
    .slice(0, 32);
  return path.join(cacheDir(dir), `${key}.json`);
}

/**
 * True when cached credentials may still be handed out.
 * @param {ProcessCredentials} c
 * @param {Date} now
 */
export function isFresh(c, now) {
  const exp = new Date(c.Expiration).getTime();
  return Number.isFinite(exp) && exp - now.getTime() > REFRESH_BEFORE_MS;
}

/**
 * Cached credentials that are still fresh, else undefined.
 * @param {string} file
 * @param {Date} [now]
 * @returns {Promise<ProcessCredentials | undefined>}
 */
export async function readCached(file, now = new Date()) {
  const c = /** @type {ProcessCredentials | undefined} */ (await readJson(file));
  if (!c || c.Version !== 1 || typeof c.AccessKeyId !== 'string' || typeof c.SessionToken !== 'string') return undefined;
  return isFresh(c, now) ? c : undefined;
}

/**
 * Stores credentials (0600).
 * @param {string} file
 * @param {ProcessCredentials} c
 */
export async function writeCached(file, c) {
  await writeSecretJson(file, c);
}
