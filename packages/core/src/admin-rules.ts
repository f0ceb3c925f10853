import { AppError } from './errors.js';
import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from './durations.js';
import { parseRoleArn, type Partition } from './partitions.js';

/** One problem with an admin input; `path` names the field. */
export interface FieldIssue {
  path: string;
  message: string;
}

const PARTITIONS: readonly Partition[] = ['aws', 'aws-us-gov', 'aws-cn'];
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH_CHARS = /^[\x21-\x7e]*$/;

/**
 * Why a role ARN is wrong, or null when it is a valid IAM role ARN. Checks
 * each part separately so the admin reads which part is wrong: a typo in the
 * partition or account would otherwise make the broker assume a role in an
 * account nobody meant (or fail only at the first grant).
 */
export function roleArnProblem(arn: string): string | null {
  if (arn.length > 2048) return 'is longer than 2048 characters';
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return 'must look like arn:aws:iam::123456789012:role/[path/]RoleName';
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  if (!PARTITIONS.includes(partition as Partition)) return `partition "${partition}" is not one of aws, aws-us-gov, aws-cn`;
  if (service !== 'iam') return `service must be iam (got "${service}")`;
  if (region !== '') return 'IAM ARNs have no region (arn:<partition>:iam::<account>:role/…)';
  if (!/^\d{12}$/.test(account ?? '')) return `account "${account}" is not a 12-digit AWS account id`;
  if (!resource.startsWith('role/')) return 'resource must be role/[path/]RoleName';
  const afterRole = resource.slice('role/'.length);
  const slash = afterRole.lastIndexOf('/');
  const name = afterRole.slice(slash + 1);
  const path = `/${afterRole.slice(0, slash + 1)}`;
  if (!ROLE_NAME.test(name)) return `role name "${name}" must be 1–64 characters of letters, digits and + = , . @ _ -`;
  if (path.length > 512) return 'role path must be at most 512 characters';
  if (path.includes('//')) return 'role path must not contain empty segments (//)';
  if (!PATH_CHARS.test(path)) return 'role path may contain only printable ASCII characters without spaces';
  if (!parseRoleArn(arn)) return 'is not a valid IAM role ARN';
  return null;
}

/** Why a group name is wrong, or null. Groups match exactly, so near-misses are refused here. */
export function groupProblem(group: string): string | null {
  if (group.length === 0) return 'is required';
  if (group.length > 256) return 'must be at most 256 characters';
  // "admins " never equals the IdP's "admins": the mapping would silently grant nothing.
  if (group !== group.trim()) return 'must not start or end with spaces (groups match exactly)';
  // "dev,admins" is not two groups (invariant 3); refusing it stops an admin from believing it is.
  if (group.includes(',')) return 'one group per mapping: a comma is not a list separator';
  if (/[\u0000-\u001f\u007f]/.test(group)) return 'must not contain control characters';
  return null;
}

/** Why a maximum session duration is wrong, or null (AWS accepts 900..43200 seconds). */
export function maxDurationProblem(seconds: number): string | null {
  if (!Number.isSafeInteger(seconds)) return 'must be whole seconds';
  if (seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS) {
    return `must be between ${MIN_SESSION_SECONDS} and ${MAX_SESSION_SECONDS} seconds`;
  }
  return null;
}

/** Why an AWS account id is wrong, or null. */
export function accountIdProblem(id: string): string | null {
  return /^\d{12}$/.test(id) ? null : 'must be a 12-digit AWS account id';
}

/** Why an account's friendly name is wrong, or null. */
export function accountNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'is required';
  if (name.length > 128) return 'must be at most 128 characters';
  return null;
}

/** The fields of a mapping an admin controls. */
export interface MappingFields {
  group: string;
  roleArn: string;
  maxDurationSeconds: number;
  requireReason: boolean;
  description: string;
  enabled: boolean;
}

/**
 * Every problem of a mapping, each naming its field; empty when valid.
 * `knownAccounts` (when given) must contain the role ARN's account: a mapping
 * to an account nobody registered is usually a mistyped account id.
 */
export function mappingIssues(m: MappingFields, knownAccounts?: ReadonlySet<string>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (path: string, problem: string | null) => {
    if (problem) issues.push({ path, message: `${path} ${problem}` });
  };
  add('group', groupProblem(m.group));
  const arnProblem = roleArnProblem(m.roleArn);
  add('roleArn', arnProblem);
  add('maxDurationSeconds', maxDurationProblem(m.maxDurationSeconds));
  if (m.description.length > 1000) add('description', 'must be at most 1000 characters');
  const parsed = arnProblem ? null : parseRoleArn(m.roleArn);
  if (parsed && knownAccounts && !knownAccounts.has(parsed.accountId)) {
    add('roleArn', `names account ${parsed.accountId}, which is not registered; add it under accounts first`);
  }
  return issues;
}

/** Throws VALIDATION_FAILED listing `issues` (no-op when empty). @throws AppError VALIDATION_FAILED */
export function assertNoIssues(issues: readonly FieldIssue[]): void {
  if (issues.length === 0) return;
  throw new AppError('VALIDATION_FAILED', `Invalid request: ${issues.map((i) => i.message).join('; ')}`, { issues });
}
