import { AppError } from './errors.js';
import { policyIssues, type AccessPolicyInput } from './access-policy.js';
import {
  explainRoleArn,
  isAccountId,
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  PARTITIONS,
  parseRoleArn,
  ROLE_ARN_MAX_LENGTH,
  ROLE_PATH_MAX_LENGTH,
} from '@rolegate/aws-names';

/** One problem with an admin input; `path` names the field. */
export interface FieldIssue {
  path: string;
  message: string;
}

/**
 * Why a role ARN is wrong, or null when it is a valid IAM role ARN. The
 * grammar is aws-names' explainRoleArn; this words its answer for the API,
 * part by part, so the admin reads which part is wrong: a typo in the
 * partition or account would otherwise make the broker assume a role in an
 * account nobody meant (or fail only at the first grant).
 */
export function roleArnProblem(arn: string): string | null {
  const checked = explainRoleArn(arn);
  if (checked.ok) return null;
  const p = checked.problem;
  switch (p.code) {
    case 'too-long':
      return `is longer than ${ROLE_ARN_MAX_LENGTH} characters`;
    case 'not-an-arn':
      return 'must look like arn:aws:iam::123456789012:role/[path/]RoleName';
    case 'partition':
      return `partition "${p.partition}" is not one of ${PARTITIONS.join(', ')}`;
    case 'service':
      return `service must be iam (got "${p.service}")`;
    case 'region':
      return 'IAM ARNs have no region (arn:<partition>:iam::<account>:role/…)';
    case 'account':
      return `account "${p.account}" is not a 12-digit AWS account id`;
    case 'not-a-role':
      return 'resource must be role/[path/]RoleName';
    case 'role-name':
      return `role name "${p.roleName}" must be 1–64 characters of letters, digits and + = , . @ _ -`;
    case 'path-too-long':
      return `role path must be at most ${ROLE_PATH_MAX_LENGTH} characters`;
    case 'path-empty-segment':
      return 'role path must not contain empty segments (//)';
    case 'path-chars':
      return 'role path may contain only printable ASCII characters without spaces';
    case 'invalid':
      return 'is not a valid IAM role ARN';
  }
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
  return isAccountId(id) ? null : 'must be a 12-digit AWS account id';
}

/** Why an account's friendly name is wrong, or null. */
export function accountNameProblem(name: string): string | null {
  if (name.trim().length === 0) return 'is required';
  if (name.length > 128) return 'must be at most 128 characters';
  return null;
}

/** The fields of a mapping an admin controls (the approval policy's fields are optional: absent means the default, instant). */
export interface MappingFields extends AccessPolicyInput {
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
  issues.push(...policyIssues(m));
  if (m.access === 'approval' && Number.isSafeInteger(m.maxDurationSeconds) && m.maxDurationSeconds < 1200) {
    add('maxDurationSeconds', 'must be at least 1200 on an approval mapping (a window needs room for one 15-minute session)');
  }
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
