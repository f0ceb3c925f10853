import { readCached, writeCached, cacheFile } from './cache.js';
import { call } from './broker.js';
import { listEntitlements, pickEntitlement } from './roles.js';

/**
 * @typedef {object} RoleRequest
 * @property {string} account account id or name
 * @property {string} role role name
 * @property {number | undefined} durationSeconds
 * @property {string | undefined} reason
 */

/**
 * Temporary credentials for a role, from the cache while they have more than
 * five minutes left, otherwise from a new grant of kind `cli` (recorded by
 * the broker like every grant).
 * @param {import('./session.js').Session} s
 * @param {string} dir config folder
 * @param {RoleRequest} r
 * @returns {Promise<import('./cache.js').ProcessCredentials>}
 */
export async function getCredentials(s, dir, r) {
  const file = cacheFile(dir, { url: s.url, tokenId: s.tokenId, account: r.account, role: r.role, reason: r.reason });
  const cached = await readCached(file);
  if (cached) return cached;
  const ent = pickEntitlement(await listEntitlements(s), r.account, r.role);
  const body = await call(s.url, {
    method: 'POST',
    path: '/api/grants',
    token: s.token,
    body: { entitlementId: ent.id, kind: 'cli', ...(r.durationSeconds ? { durationSeconds: r.durationSeconds } : {}), ...(r.reason ? { reason: r.reason } : {}) },
  });
  const c = body.credentials;
  /** @type {import('./cache.js').ProcessCredentials} */
  const out = { Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration };
  await writeCached(file, out);
  return out;
}

/**
 * A console sign-in URL for a role (a grant of kind `console`).
 * @param {import('./session.js').Session} s
 * @param {RoleRequest & { destination?: string | undefined }} r
 * @returns {Promise<string>}
 */
export async function getConsoleUrl(s, r) {
  const ent = pickEntitlement(await listEntitlements(s), r.account, r.role);
  const body = await call(s.url, {
    method: 'POST',
    path: '/api/grants',
    token: s.token,
    body: {
      entitlementId: ent.id,
      kind: 'console',
      ...(r.durationSeconds ? { durationSeconds: r.durationSeconds } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.destination ? { destination: r.destination } : {}),
    },
  });
  return body.consoleUrl;
}
