/**
 * Client-side checks of a mapping, mirroring the server's rules so a mistake is
 * shown next to its field before anything is sent. The server checks again;
 * these only make the message come sooner and say exactly what is wrong.
 */

export const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'] as const;
export type Partition = (typeof PARTITIONS)[number];
export const MIN_MAX_DURATION = 900;
export const MAX_MAX_DURATION = 43200;

export interface RoleArnParts {
  partition: Partition;
  accountId: string;
  path: string;
  roleName: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH_CHARS = /^[\x21-\x7e]*$/;

/** Splits an ARN into its parts, or explains the first thing wrong with it. */
export function checkRoleArn(value: string): { ok: true; parts: RoleArnParts } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  if (value.trim() === '') return fail('Enter the role ARN, e.g. arn:aws:iam::123456789012:role/Developer.');
  if (value !== value.trim()) return fail('Remove the spaces before or after the ARN.');
  const fields = value.split(':');
  if (fields[0] !== 'arn' || fields.length < 6) return fail('A role ARN looks like arn:aws:iam::123456789012:role/Name.');
  const [, partition, service, region, accountId] = fields;
  const resource = fields.slice(5).join(':');
  if (!PARTITIONS.includes(partition as Partition)) {
    return fail(`Unknown partition "${partition}": use aws, aws-us-gov or aws-cn.`);
  }
  if (service !== 'iam') return fail(`The service must be iam, not "${service}".`);
  if (region !== '') return fail('IAM ARNs have no region: use "iam::" followed by the account ID.');
  if (!accountId || !ACCOUNT_ID.test(accountId)) return fail('The account ID in the ARN must be exactly 12 digits.');
  if (!resource.startsWith('role/')) return fail('The ARN must name a role ("…:role/Name"), not another IAM resource.');
  const rest = resource.slice('role'.length); // "/path/Name" or "/Name"
  const slash = rest.lastIndexOf('/');
  const path = rest.slice(0, slash + 1);
  const roleName = rest.slice(slash + 1);
  if (roleName === '') return fail('The role name is missing after the last "/".');
  if (!ROLE_NAME.test(roleName)) {
    return roleName.length > 64
      ? fail('The role name may be at most 64 characters.')
      : fail('The role name may contain only letters, digits and + = , . @ _ -.');
  }
  if (path.length > 512) return fail('The role path may be at most 512 characters.');
  if (!PATH_CHARS.test(path)) return fail('The role path may contain only printable ASCII characters, no spaces.');
  return { ok: true, parts: { partition: partition as Partition, accountId, path, roleName } };
}

/** Group names are matched exactly, so stray whitespace or commas are almost always a mistake. */
export function checkGroup(value: string): string | true {
  if (value === '') return 'Enter the identity-provider group, exactly as your IdP sends it.';
  if (value.length > 256) return 'The group may be at most 256 characters.';
  if (value !== value.trim()) return 'Remove the spaces before or after the group: groups are matched exactly.';
  if (value.includes(',')) return 'One group per mapping: "a,b" would only match a group literally named "a,b".';
  return true;
}

/** 900 ≤ seconds ≤ 43200, whole seconds. */
export function checkMaxDuration(value: number): string | true {
  if (!Number.isFinite(value)) return 'Enter the maximum session length in seconds.';
  if (!Number.isInteger(value)) return 'Use whole seconds.';
  if (value < MIN_MAX_DURATION || value > MAX_MAX_DURATION) {
    return `Must be between ${MIN_MAX_DURATION} (15 min) and ${MAX_MAX_DURATION} (12 h) seconds.`;
  }
  return true;
}

export function checkAccountId(value: string): string | true {
  return ACCOUNT_ID.test(value) ? true : 'An AWS account ID is exactly 12 digits.';
}

/** Hours and minutes as the form shows them → seconds as stored (NaN when a field is not a whole number ≥ 0). */
export function hoursMinutesToSeconds(hours: number, minutes: number): number {
  const h = Number.isFinite(hours) ? hours : 0;
  const m = Number.isFinite(minutes) ? minutes : 0;
  if (!Number.isInteger(h) || !Number.isInteger(m) || h < 0 || m < 0 || m > 59) return Number.NaN;
  return h * 3600 + m * 60;
}

/** The maximum session entered as hours and minutes, checked like the server checks the seconds. */
export function checkMaxHoursMinutes(hours: number, minutes: number): string | true {
  const seconds = hoursMinutesToSeconds(hours, minutes);
  if (Number.isNaN(seconds)) return 'Use whole hours and minutes (0–59).';
  if (seconds < MIN_MAX_DURATION || seconds > MAX_MAX_DURATION) return 'Must be between 15 min and 12 h.';
  return true;
}
