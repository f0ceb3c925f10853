import { call } from './broker.js';
import { CliError, EXIT } from './errors.js';

/**
 * @typedef {object} Entitlement
 * @property {string} id
 * @property {string} accountId
 * @property {string} accountName
 * @property {string} roleName
 * @property {string} roleArn
 * @property {string} description
 * @property {number} maxDurationSeconds
 * @property {boolean} requireReason
 */

/**
 * The caller's entitlements.
 * @param {import('./session.js').Session} s
 * @returns {Promise<Entitlement[]>}
 */
export async function listEntitlements(s) {
  const body = await call(s.url, { path: '/api/entitlements', token: s.token });
  return Array.isArray(body?.items) ? body.items : [];
}

/**
 * The one entitlement for an account (id or name) and role name.
 * @param {Entitlement[]} items
 * @param {string} account
 * @param {string} role
 * @returns {Entitlement}
 * @throws {CliError} NOT_ENTITLED when none matches, USAGE when several do
 */
export function pickEntitlement(items, account, role) {
  const matches = items.filter((e) => (e.accountId === account || e.accountName === account) && e.roleName === role);
  if (matches.length === 0) throw new CliError(`Not entitled: you have no role "${role}" in account "${account}" (see \`rolegate ls\`).`, EXIT.NOT_ENTITLED);
  if (matches.length > 1) throw new CliError(`"${account}" names more than one account with role "${role}"; use the 12-digit account id.`, EXIT.USAGE);
  return /** @type {Entitlement} */ (matches[0]);
}
