import { AwsError, validationError } from './errors.js';

/** A session tag. */
export interface SessionTag {
  key: string;
  value: string;
}

/** AssumeRole's parameters after validation. */
export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  sourceIdentity?: string;
  externalId?: string;
  policy?: string;
  tags: SessionTag[];
  transitiveTagKeys: string[];
}

const NAME_RE = /^[\w+=,.@-]*$/;
const EXTERNAL_ID_RE = /^[\w+=,.@:/-]*$/;
const TAG_KEY_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const len = (s: string): number => [...s].length;

/** Collects constraint violations and formats them as STS does ("2 validation errors detected: …"). */
class Violations {
  private readonly items: string[] = [];
  add(value: string | null, member: string, constraint: string): void {
    const shown = value === null ? 'null' : `'${value}'`;
    this.items.push(`Value ${shown} at '${member}' failed to satisfy constraint: Member must ${constraint}`);
  }
  length(value: string | undefined, member: string, min: number, max: number, pattern?: [RegExp, string]): void {
    if (value === undefined) return;
    if (len(value) < min) this.add(value, member, `have length greater than or equal to ${min}`);
    if (len(value) > max) this.add(value, member, `have length less than or equal to ${max}`);
    if (pattern && !pattern[0].test(value)) this.add(value, member, `satisfy regular expression pattern: ${pattern[1]}`);
  }
  throwIfAny(): void {
    const n = this.items.length;
    if (n > 0) throw validationError(`${n} validation error${n > 1 ? 's' : ''} detected: ${this.items.join('; ')}`);
  }
}

/** Reads AWS Query list members "Prefix.member.N[.Suffix]" in numeric order. */
function members(params: Record<string, string>, prefix: string): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${prefix}\\.member\\.(\\d+)(?:\\.(\\w+))?$`);
  for (const [k, v] of Object.entries(params)) {
    const m = re.exec(k);
    if (!m) continue;
    const index = Number(m[1]);
    const entry = out.get(index) ?? {};
    entry[m[2] ?? ''] = v;
    out.set(index, entry);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Validates AssumeRole parameters exactly as STS does before looking at the role.
 * Throws AwsError 400 ValidationError (or MalformedPolicyDocument / InvalidParameterValue).
 */
export function parseAssumeRoleParams(params: Record<string, string>): AssumeRoleInput {
  const v = new Violations();
  const { RoleArn: roleArn, RoleSessionName: roleSessionName, SourceIdentity: sourceIdentity } = params;
  const { ExternalId: externalId, Policy: policy, DurationSeconds: durationRaw } = params;
  if (roleArn === undefined) v.add(null, 'roleArn', 'not be null');
  v.length(roleArn, 'roleArn', 20, 2048);
  if (roleSessionName === undefined) v.add(null, 'roleSessionName', 'not be null');
  v.length(roleSessionName, 'roleSessionName', 2, 64, [NAME_RE, '[\\w+=,.@-]*']);
  // The pattern has no ':', so the reserved "aws:" prefix is refused here too, as at AWS.
  v.length(sourceIdentity, 'sourceIdentity', 2, 64, [NAME_RE, '[\\w+=,.@-]*']);
  v.length(externalId, 'externalId', 2, 1224, [EXTERNAL_ID_RE, '[\\w+=,.@:\\/-]*']);
  v.length(policy, 'policy', 1, 2048);

  let durationSeconds = 3600;
  if (durationRaw !== undefined) {
    if (!/^-?\d+$/.test(durationRaw)) throw validationError(`Value '${durationRaw}' for parameter DurationSeconds is invalid.`);
    durationSeconds = Number(durationRaw);
    if (durationSeconds < 900) v.add(durationRaw, 'durationSeconds', 'have value greater than or equal to 900');
    if (durationSeconds > 43200) v.add(durationRaw, 'durationSeconds', 'have value less than or equal to 43200');
  }

  const tags: SessionTag[] = [];
  const tagMembers = members(params, 'Tags');
  if (tagMembers.size > 50) v.add(`[${tagMembers.size} tags]`, 'tags', 'have length less than or equal to 50');
  for (const [i, t] of tagMembers) {
    if (t.Key === undefined) v.add(null, `tags.${i}.member.key`, 'not be null');
    if (t.Value === undefined) v.add(null, `tags.${i}.member.value`, 'not be null');
    v.length(t.Key, `tags.${i}.member.key`, 1, 128, [TAG_KEY_RE, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+']);
    v.length(t.Value, `tags.${i}.member.value`, 0, 256, [TAG_VALUE_RE, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*']);
    tags.push({ key: t.Key ?? '', value: t.Value ?? '' });
  }
  const transitiveTagKeys = [...members(params, 'TransitiveTagKeys').values()].map((m) => m[''] ?? '');
  if (transitiveTagKeys.length > 50) v.add(`[${transitiveTagKeys.length} keys]`, 'transitiveTagKeys', 'have length less than or equal to 50');
  v.throwIfAny();

  // Tag keys are case-insensitive in IAM: "Team" and "team" would collide in policy conditions.
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.key.toLowerCase();
    if (seen.has(k)) throw validationError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  for (const key of transitiveTagKeys) {
    if (!seen.has(key.toLowerCase())) {
      throw new AwsError(400, 'InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
    }
  }
  if (policy !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AwsError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
  }
  return {
    roleArn: roleArn!,
    roleSessionName: roleSessionName!,
    durationSeconds,
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    ...(externalId !== undefined ? { externalId } : {}),
    ...(policy !== undefined ? { policy } : {}),
    tags,
    transitiveTagKeys,
  };
}

/** Percentage of the packed-policy budget used by session policy and tags; undefined when neither is given. */
export function packedPolicySize(input: AssumeRoleInput): number | undefined {
  if (input.policy === undefined && input.tags.length === 0) return undefined;
  const policyBytes = input.policy === undefined ? 0 : Buffer.byteLength(JSON.stringify(JSON.parse(input.policy)));
  const tagBytes = input.tags.reduce((n, t) => n + Buffer.byteLength(t.key) + Buffer.byteLength(t.value) + 4, 0);
  return Math.max(1, Math.ceil(((policyBytes + tagBytes) / 2048) * 100));
}
