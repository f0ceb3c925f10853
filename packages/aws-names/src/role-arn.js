import { ACCOUNT_ID_PATTERN } from './account-id.js';
import { isPartition } from './partitions.js';

/**
 * @typedef {object} RoleArnParts
 * @property {import('./partitions.js').Partition} partition
 * @property {string} accountId
 * @property {string} path Path including its leading and trailing "/", e.g. "/" or "/team/".
 * @property {string} roleName
 */

/** The longest ARN IAM accepts in an AssumeRole call. */
export const ROLE_ARN_MAX_LENGTH = 2048;
/** The longest role path ("/…/") IAM accepts. */
export const ROLE_PATH_MAX_LENGTH = 512;

/** An IAM role name: 1–64 characters of letters, digits and + = , . @ _ -. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/**
 * An IAM role ARN in one of Rolegate's partitions:
 * arn:<aws|aws-us-gov|aws-cn>:iam::<12 digits>:role/[path/]Name.
 * Groups: 1 partition, 2 account id, 3 path ("/" or "/a/b/"), 4 role name.
 */
export const ROLE_ARN_PATTERN = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role(\/(?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;

/**
 * The outline of a role ARN (partition, account, "role/" and no whitespace),
 * for search filters: they only need to tell an ARN from a role name, and an
 * ARN that fits the outline but not the grammar simply matches nothing.
 */
export const ROLE_ARN_OUTLINE = /^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:role\/\S+$/;

/** An IAM user or role ARN (the broker's own identity), path allowed. */
export const IAM_PRINCIPAL_ARN_PATTERN = /^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:(user|role)\/[\x21-\x7e]+$/;

/**
 * An STS session ARN, arn:<partition>:sts::<account>:assumed-role/<RoleName>/<session>
 * (no role path: AWS drops it). Groups: 1 partition, 2 account id, 3 role name, 4 session name.
 */
export const ASSUMED_ROLE_ARN_PATTERN = /^arn:(aws|aws-us-gov|aws-cn):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([^/]+)$/;

const PATH_CHARS = /^[\x21-\x7e]*$/;

/**
 * Parses an IAM role ARN.
 * @param {string} arn
 * @returns {RoleArnParts | null} null when `arn` is not a role ARN of a known partition
 */
export function parseRoleArn(arn) {
  const m = ROLE_ARN_PATTERN.exec(arn);
  if (!m) return null;
  const [, partition, accountId, path, roleName] = m;
  if (!partition || !accountId || !path || !roleName || !isPartition(partition)) return null;
  return { partition, accountId, path, roleName };
}

/**
 * Parses an STS session ARN (what GetCallerIdentity reports for a role session).
 * @param {string} arn
 * @returns {{ partition: import('./partitions.js').Partition, accountId: string, roleName: string, sessionName: string } | null}
 */
export function parseAssumedRoleArn(arn) {
  const m = ASSUMED_ROLE_ARN_PATTERN.exec(arn);
  if (!m) return null;
  const [, partition, accountId, roleName, sessionName] = m;
  if (!partition || !accountId || !roleName || !sessionName || !isPartition(partition)) return null;
  return { partition, accountId, roleName, sessionName };
}

/**
 * @typedef {{ code: 'too-long' }
 *   | { code: 'not-an-arn' }
 *   | { code: 'partition', partition: string }
 *   | { code: 'service', service: string }
 *   | { code: 'region', region: string }
 *   | { code: 'account', account: string }
 *   | { code: 'not-a-role' }
 *   | { code: 'role-name', roleName: string }
 *   | { code: 'path-too-long' }
 *   | { code: 'path-empty-segment' }
 *   | { code: 'path-chars' }
 *   | { code: 'invalid' }} RoleArnProblem
 */

/**
 * The first thing wrong with a role ARN, part by part, so each audience can
 * word it (the API for admins' scripts, the form next to the field): a typo
 * in the partition or account would otherwise make the broker assume a role
 * in an account nobody meant, or fail only at the first grant. Accepts
 * exactly what parseRoleArn accepts, minus paths with an empty segment ("//").
 * @param {string} arn
 * @returns {{ ok: true, parts: RoleArnParts } | { ok: false, problem: RoleArnProblem }}
 */
export function explainRoleArn(arn) {
  /** @param {RoleArnProblem} problem */
  const fail = (problem) => ({ ok: /** @type {const} */ (false), problem });
  if (arn.length > ROLE_ARN_MAX_LENGTH) return fail({ code: 'too-long' });
  const fields = arn.split(':');
  if (fields.length < 6 || fields[0] !== 'arn') return fail({ code: 'not-an-arn' });
  const [, partition = '', service = '', region = '', account = ''] = fields;
  const resource = fields.slice(5).join(':');
  if (!isPartition(partition)) return fail({ code: 'partition', partition });
  if (service !== 'iam') return fail({ code: 'service', service });
  if (region !== '') return fail({ code: 'region', region });
  if (!ACCOUNT_ID_PATTERN.test(account)) return fail({ code: 'account', account });
  if (!resource.startsWith('role/')) return fail({ code: 'not-a-role' });
  const afterRole = resource.slice('role/'.length);
  const slash = afterRole.lastIndexOf('/');
  const roleName = afterRole.slice(slash + 1);
  const path = `/${afterRole.slice(0, slash + 1)}`;
  if (!ROLE_NAME_PATTERN.test(roleName)) return fail({ code: 'role-name', roleName });
  if (path.length > ROLE_PATH_MAX_LENGTH) return fail({ code: 'path-too-long' });
  if (path.includes('//')) return fail({ code: 'path-empty-segment' });
  if (!PATH_CHARS.test(path)) return fail({ code: 'path-chars' });
  const parts = parseRoleArn(arn);
  return parts ? { ok: /** @type {const} */ (true), parts } : fail({ code: 'invalid' });
}
