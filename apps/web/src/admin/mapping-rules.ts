/**
 * Client-side checks of a mapping, on the server's own AWS naming rules
 * (@rolegate/aws-names), so a mistake is shown next to its field before
 * anything is sent. The server checks again;
 * these only make the message come sooner and say exactly what is wrong.
 */
import {
  explainRoleArn,
  isAccountId,
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  PARTITIONS,
  ROLE_ARN_MAX_LENGTH,
  ROLE_PATH_MAX_LENGTH,
  type RoleArnParts,
} from '@rolegate/aws-names';

export type { RoleArnParts };

export const MIN_MAX_DURATION = MIN_SESSION_SECONDS;
export const MAX_MAX_DURATION = MAX_SESSION_SECONDS;

/** Splits an ARN into its parts, or explains the first thing wrong with it (the grammar is aws-names', the wording the form's). */
export function checkRoleArn(value: string): { ok: true; parts: RoleArnParts } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  if (value.trim() === '') return fail('Enter the role ARN, e.g. arn:aws:iam::123456789012:role/Developer.');
  if (value !== value.trim()) return fail('Remove the spaces before or after the ARN.');
  const checked = explainRoleArn(value);
  if (checked.ok) return checked;
  const p = checked.problem;
  switch (p.code) {
    case 'too-long':
      return fail(`A role ARN may be at most ${ROLE_ARN_MAX_LENGTH} characters.`);
    case 'not-an-arn':
      return fail('A role ARN looks like arn:aws:iam::123456789012:role/Name.');
    case 'partition':
      return fail(`Unknown partition "${p.partition}": use ${PARTITIONS.slice(0, -1).join(', ')} or ${PARTITIONS.at(-1)}.`);
    case 'service':
      return fail(`The service must be iam, not "${p.service}".`);
    case 'region':
      return fail('IAM ARNs have no region: use "iam::" followed by the account ID.');
    case 'account':
      return fail('The account ID in the ARN must be exactly 12 digits.');
    case 'not-a-role':
      return fail('The ARN must name a role ("…:role/Name"), not another IAM resource.');
    case 'role-name':
      if (p.roleName === '') return fail('The role name is missing after the last "/".');
      return p.roleName.length > 64
        ? fail('The role name may be at most 64 characters.')
        : fail('The role name may contain only letters, digits and + = , . @ _ -.');
    case 'path-too-long':
      return fail(`The role path may be at most ${ROLE_PATH_MAX_LENGTH} characters.`);
    case 'path-empty-segment':
      return fail('The role path may not contain an empty segment ("//").');
    case 'path-chars':
      return fail('The role path may contain only printable ASCII characters, no spaces.');
    case 'invalid':
      return fail('A role ARN looks like arn:aws:iam::123456789012:role/Name.');
  }
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
  return isAccountId(value) ? true : 'An AWS account ID is exactly 12 digits.';
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
