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
 * @property {'instant' | 'approval'} [access] `approval`: credentials only inside an approved access window (absent from older brokers: instant)
 * @property {{ requestId: string, endsAt: string } | null} [window] the caller's open access window on the role
 */

/**
 * @typedef {object} AwsDefaults what the broker says the caller's AWS tools should use
 * @property {string} [region]
 * @property {string} [stsEndpoint] demo mode only: the local emulator
 */

/**
 * The caller's entitlements and the broker's AWS defaults, in one call that
 * also proves the token is still valid (401 → exit 4).
 * @param {import('./session.js').Session} s
 * @returns {Promise<{ items: Entitlement[], aws: AwsDefaults }>}
 */
export async function fetchEntitlements(s) {
  const body = await call(s.url, { method: 'GET', path: '/api/entitlements', token: s.token });
  /** @type {Partial<import('@rolegate/contract').AwsClientDefaults>} */
  const aws = body?.aws && typeof body.aws === 'object' ? body.aws : {};
  return {
    items: Array.isArray(body?.items) ? body.items : [],
    aws: {
      ...(typeof aws.region === 'string' ? { region: aws.region } : {}),
      ...(typeof aws.stsEndpoint === 'string' ? { stsEndpoint: aws.stsEndpoint } : {}),
    },
  };
}

/**
 * The caller's entitlements.
 * @param {import('./session.js').Session} s
 * @returns {Promise<Entitlement[]>}
 */
export async function listEntitlements(s) {
  return (await fetchEntitlements(s)).items;
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
