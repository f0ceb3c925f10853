/** The parts of an IAM role ARN. */
export interface RoleArnParts {
  partition: string;
  account: string;
  path: string;
  name: string;
}

// Role names may carry a path: arn:aws:iam::123456789012:role/path/to/Name.
const ROLE_ARN_RE = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/;
const ASSUMED_ROLE_RE = /^arn:(aws|aws-us-gov|aws-cn):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/([\w+=,.@-]+)$/;

/** Parses a role ARN; undefined when it is not one. */
export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN_RE.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, account: m[2]!, path: m[3]!, name: m[4]! };
}

/** Parses an assumed-role session ARN; undefined when it is not one. */
export function parseAssumedRoleArn(arn: string): { partition: string; account: string; roleName: string; sessionName: string } | undefined {
  const m = ASSUMED_ROLE_RE.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, account: m[2]!, roleName: m[3]!, sessionName: m[4]! };
}

/** arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION (the role path is dropped, as AWS does). */
export const assumedRoleArn = (role: RoleArnParts, sessionName: string): string =>
  `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;

/** The account id of any ARN ("" when absent). */
export const accountOf = (arn: string): string => arn.split(':')[4] ?? '';

/** A caller is role-chained when its identity is itself an assumed role. */
export const isAssumedRoleArn = (arn: string): boolean => arn.includes(':assumed-role/');
