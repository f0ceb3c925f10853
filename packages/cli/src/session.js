import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CliError, EXIT } from './errors.js';
import { configDir, readJson, writeSecretJson } from './files.js';

/**
 * @typedef {object} Session
 * @property {string} url broker base URL
 * @property {string} token the CLI bearer token (secret)
 * @property {string} tokenId
 * @property {string} expiresAt ISO-8601
 * @property {string} [email]
 */

/** @param {string} dir */
export const sessionFile = (dir) => path.join(dir, 'session.json');
/** @param {string} dir */
export const cacheDir = (dir) => path.join(dir, 'cache');

/**
 * The stored session, or undefined when not logged in.
 * @param {string} [dir]
 * @returns {Promise<Session | undefined>}
 */
export async function loadSession(dir = configDir()) {
  const s = /** @type {Partial<Session> | undefined} */ (await readJson(sessionFile(dir)));
  if (!s || typeof s.url !== 'string' || typeof s.token !== 'string' || typeof s.expiresAt !== 'string' || typeof s.tokenId !== 'string') return undefined;
  return /** @type {Session} */ (s);
}

/**
 * The stored session, refusing when there is none or it has expired.
 * @param {string} [dir]
 * @param {Date} [now]
 * @returns {Promise<Session>}
 * @throws {CliError} NOT_LOGGED_IN, TOKEN_INVALID
 */
export async function requireSession(dir = configDir(), now = new Date()) {
  const s = await loadSession(dir);
  if (!s) throw new CliError('Not logged in. Run `rolegate login --url https://<your broker>` first.', EXIT.NOT_LOGGED_IN);
  if (new Date(s.expiresAt).getTime() <= now.getTime()) {
    throw new CliError(`Your CLI token expired at ${s.expiresAt}. Run \`rolegate login\` again.`, EXIT.TOKEN_INVALID);
  }
  return s;
}

/**
 * Saves the session (0600 in a 0700 folder).
 * @param {Session} s
 * @param {string} [dir]
 */
export async function saveSession(s, dir = configDir()) {
  await writeSecretJson(sessionFile(dir), s);
}

/**
 * Deletes the session and every cached credential.
 * @param {string} [dir]
 */
export async function deleteLocalState(dir = configDir()) {
  await rm(sessionFile(dir), { force: true });
  await rm(cacheDir(dir), { recursive: true, force: true });
}
