import { parseRoleArn } from '@rolegate/aws-names';
import { BROKER_TRUST_ACTIONS, trustPolicyFor } from './admin-trust-policy.js';

/*
 * Trust and set-up checks of a brokered role ("drift"): pure functions over
 * what IAM GetRole and ListAttachedRolePolicies return. Nothing here calls
 * AWS; apps/api feeds it and stores the findings.
 */

/** Stable codes of the findings (API, UI, metrics label, grant error details). */
export const ROLE_CHECK_CODES = [
  'ROLE_NOT_FOUND',
  'TRUST_POLICY_UNREADABLE',
  'BROKER_NOT_TRUSTED',
  'TRUST_MISSING_SET_SOURCE_IDENTITY',
  'TRUST_MISSING_TAG_SESSION',
  'TRUST_DENIES_BROKER',
  'TRUST_CONDITION',
  'TRUST_ANY_PRINCIPAL',
  'TRUST_UNEXPECTED_ACCOUNT',
  'TRUST_NON_AWS_PRINCIPAL',
  'MAX_SESSION_TOO_SHORT',
  'REVOCATION_POLICY_NOT_ATTACHED',
] as const;
export type RoleCheckCode = (typeof ROLE_CHECK_CODES)[number];

/** One problem with a role's set-up: what, why, and the exact fix to paste. */
export interface RoleCheckFinding {
  code: RoleCheckCode;
  /** `error`: grants or revocations fail or access is wider than Rolegate grants; `warning`: may fail, look. */
  severity: 'error' | 'warning';
  message: string;
  /** A trust policy statement or AWS CLI command that fixes it. */
  fix: string;
}

/** What IAM reported about the role (GetRole, ListAttachedRolePolicies), or that it does not exist. */
export interface ObservedRole {
  roleArn: string;
  /** GetRole's AssumeRolePolicyDocument: URL-encoded JSON as IAM returns it (plain JSON is accepted too). */
  trustPolicyDocument: string;
  maxSessionDuration: number;
  attachedPolicyArns: readonly string[];
}

export interface RoleCheckInput {
  /** The mapping's role ARN. */
  roleArn: string;
  /** The mapping's maximum session, seconds. */
  mappingMaxSeconds: number;
  /** The principal the trust policy must name for the broker (brokerTrustPrincipal). */
  brokerPrincipalArn: string;
  /** arn:<partition>:iam::<account>:policy/<REVOCATION_POLICY_NAME>. */
  revocationPolicyArn: string;
  /** null = GetRole said NoSuchEntity. */
  observed: ObservedRole | null;
}

/** One statement, normalized: arrays everywhere, action names lower-cased. */
interface Statement {
  effect: 'Allow' | 'Deny';
  /** `*` for `"Principal": "*"`; otherwise AWS/Service/Federated entries. `not` = NotPrincipal. */
  principals: { any: boolean; aws: string[]; service: string[]; federated: string[]; not: boolean };
  actions: string[];
  notActions: boolean;
  /** Condition keys that may refuse the broker (benign ones, see brokerAlwaysMeets, left out). */
  conditionKeys: string[];
}

/**
 * Condition keys every Rolegate AssumeRole satisfies, with the operators and
 * values that only check presence: the hardening docs/deploy.md recommends
 * (`StringLike sts:SourceIdentity "*"`, `StringLike aws:RequestTag/rolegate:grant-id "*"`).
 * Anything else (an exact SourceIdentity, an ExternalId, a source IP) may refuse grants.
 */
const ALWAYS_SENT = new Set(['sts:sourceidentity', 'aws:requesttag/rolegate:grant-id']);
function brokerAlwaysMeets(operator: string, key: string, value: unknown): boolean {
  if (!ALWAYS_SENT.has(key.toLowerCase())) return false;
  const values = asArray(value).map(String);
  if (operator === 'StringLike') return values.includes('*');
  if (operator === 'Null') return values.length > 0 && values.every((v) => v === 'false');
  return false;
}

function conditionKeysOf(condition: unknown): string[] {
  if (!condition || typeof condition !== 'object') return [];
  return Object.entries(condition as Record<string, unknown>).flatMap(([operator, block]) =>
    block && typeof block === 'object'
      ? Object.entries(block as Record<string, unknown>).flatMap(([key, value]) => (brokerAlwaysMeets(operator, key, value) ? [] : [key]))
      : [],
  );
}

const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const strings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === 'string');

/**
 * Parses a trust policy as GetRole returns it: URL-encoded JSON (RFC 3986),
 * or plain JSON. Returns null when it is neither (reported, never thrown).
 */
export function parseTrustPolicyDocument(document: string): unknown {
  for (const text of [document, safeDecode(document)]) {
    if (text === null) continue;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // try the next form
    }
  }
  return null;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return null;
  }
}

/**
 * Normalizes a policy's statements. `Statement` may be one object or an
 * array; `Principal` may be `"*"`, or `{ AWS | Service | Federated }` each a
 * string or an array; `Action`/`NotAction` a string or an array. Returns null
 * when there is no statement at all.
 */
export function normalizeStatements(policy: unknown): Statement[] | null {
  if (!policy || typeof policy !== 'object') return null;
  const raw = asArray((policy as { Statement?: unknown }).Statement).filter((s): s is Record<string, unknown> => !!s && typeof s === 'object');
  if (raw.length === 0) return null;
  return raw.map((s) => {
    const notPrincipal = s.NotPrincipal !== undefined;
    const p = notPrincipal ? s.NotPrincipal : s.Principal;
    const obj = p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
    const aws = strings(obj.AWS);
    const notActions = s.NotAction !== undefined;
    return {
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      principals: {
        any: p === '*' || aws.includes('*'),
        aws: aws.filter((a) => a !== '*'),
        service: strings(obj.Service),
        federated: strings(obj.Federated),
        not: notPrincipal,
      },
      actions: strings(notActions ? s.NotAction : s.Action).map((a) => a.toLowerCase()),
      notActions,
      conditionKeys: conditionKeysOf(s.Condition),
    } satisfies Statement;
  });
}

/**
 * IAM action matching: case-insensitive, `*` matches any run of characters
 * and `?` one character ("sts:*", "sts:Assume*", "*" all cover
 * sts:AssumeRole). Wildcards must be honoured both ways: a trust policy
 * granting `sts:*` to the broker does let it tag sessions.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(action.toLowerCase());
}

function coversAction(s: Statement, action: string): boolean {
  const listed = s.actions.some((a) => actionMatches(a, action));
  return s.notActions ? !listed : listed;
}

const ACCOUNT_OF_ARN = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;

/** The account an AWS principal entry names: a bare account id, an account root, or a user/role ARN. */
export function accountOfPrincipal(entry: string): string | null {
  if (/^\d{12}$/.test(entry)) return entry;
  return ACCOUNT_OF_ARN.exec(entry)?.[1] ?? null;
}

/** Whether an entry names a whole account (its root or its id): every IAM principal there that its own policies allow. */
export function isAccountPrincipal(entry: string): boolean {
  return /^\d{12}$/.test(entry) || /^arn:[^:]+:iam::\d{12}:root$/.test(entry);
}

/**
 * Whether a statement's principal includes the broker: its exact ARN, `*`,
 * or its account (root or id; then the broker's own IAM policy decides).
 * A NotPrincipal statement includes everyone it does not list.
 */
function includesBroker(s: Statement, broker: string): boolean {
  const brokerAccount = accountOfPrincipal(broker);
  const named = s.principals.any || s.principals.aws.some((p) => p === broker || (isAccountPrincipal(p) && accountOfPrincipal(p) === brokerAccount));
  return s.principals.not ? !named : named;
}

function roleNameOf(roleArn: string): string {
  return parseRoleArn(roleArn)?.roleName ?? roleArn;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The statement Rolegate needs, as JSON to paste into the trust policy. */
export function brokerTrustStatement(roleArn: string, brokerPrincipalArn: string): string {
  return JSON.stringify(trustPolicyFor(roleArn, brokerPrincipalArn).policy.Statement[0], null, 2);
}

/**
 * The trust findings: the broker must be allowed sts:AssumeRole,
 * sts:SetSourceIdentity and sts:TagSession, and nobody else should be able
 * to assume the role around Rolegate.
 */
export function trustFindings(input: { roleArn: string; brokerPrincipalArn: string; document: string }): RoleCheckFinding[] {
  const { roleArn, brokerPrincipalArn: broker } = input;
  const roleName = roleNameOf(roleArn);
  const statement = brokerTrustStatement(roleArn, broker);
  const wholePolicy = JSON.stringify(trustPolicyFor(roleArn, broker).policy);
  const replaceCommand = `aws iam update-assume-role-policy --role-name ${roleName} --policy-document ${shellQuote(wholePolicy)}`;
  const addFix = `Add this statement to the trust policy of ${roleName}:\n${statement}\n(or, if Rolegate is its only user, replace the trust policy:\n${replaceCommand})`;
  const statements = normalizeStatements(parseTrustPolicyDocument(input.document));
  if (!statements) {
    return [
      {
        code: 'TRUST_POLICY_UNREADABLE',
        severity: 'error',
        message: `The trust policy of ${roleName} could not be read as an IAM policy document.`,
        fix: replaceCommand,
      },
    ];
  }
  const findings: RoleCheckFinding[] = [];
  const allowsBroker = statements.filter((s) => s.effect === 'Allow' && includesBroker(s, broker));
  const deniesBroker = statements.filter((s) => s.effect === 'Deny' && includesBroker(s, broker));
  for (const action of BROKER_TRUST_ACTIONS) {
    const allowing = allowsBroker.filter((s) => coversAction(s, action));
    const denying = deniesBroker.filter((s) => coversAction(s, action));
    // An explicit deny wins over any allow (IAM's evaluation order); one with a condition may or may not apply.
    const hardDeny = denying.find((s) => s.conditionKeys.length === 0);
    if (hardDeny) {
      findings.push({
        code: 'TRUST_DENIES_BROKER',
        severity: 'error',
        message: `The trust policy of ${roleName} denies ${action} to the broker (${broker}): an explicit Deny wins over every Allow.`,
        fix: `Remove the Deny statement covering ${action} for ${broker} from the trust policy of ${roleName}, and make sure it has:\n${statement}`,
      });
      continue;
    }
    if (allowing.length === 0) {
      if (action === 'sts:AssumeRole') {
        findings.push({
          code: 'BROKER_NOT_TRUSTED',
          severity: 'error',
          message: `The trust policy of ${roleName} does not let the broker (${broker}) assume it (sts:AssumeRole): every grant of this role fails with AccessDenied.`,
          fix: addFix,
        });
      } else {
        // Without SetSourceIdentity CloudTrail cannot name the person; without TagSession the grant-id tag (revocation, audit join) is refused.
        const why =
          action === 'sts:TagSession'
            ? 'AssumeRole with the rolegate:grant-id session tag is refused (AccessDenied), so every grant fails, and per-grant revocation could not match the session anyway'
            : 'AssumeRole with a SourceIdentity is refused (AccessDenied), so every grant fails; SourceIdentity is how CloudTrail and per-person revocation name the person';
        findings.push({
          code: action === 'sts:TagSession' ? 'TRUST_MISSING_TAG_SESSION' : 'TRUST_MISSING_SET_SOURCE_IDENTITY',
          severity: 'error',
          message: `The trust policy of ${roleName} does not allow ${action} to the broker (${broker}): ${why}.`,
          fix: addFix,
        });
      }
      continue;
    }
    // Conditions we cannot evaluate here (e.g. aws:SourceIdentity patterns, an ExternalId the broker never sends) may refuse grants.
    const conditioned = allowing.every((s) => s.conditionKeys.length > 0) || denying.length > 0;
    if (conditioned) {
      const keys = [...new Set([...allowing, ...denying].flatMap((s) => s.conditionKeys))].join(', ');
      findings.push({
        code: 'TRUST_CONDITION',
        severity: 'warning',
        message: `${action} for the broker on ${roleName} depends on conditions (${keys}); the broker sends SourceIdentity (the person), the session tag rolegate:grant-id and no ExternalId, so a condition on anything else refuses grants.`,
        fix: `Make sure the conditions hold for Rolegate's requests, or allow the broker unconditionally:\n${statement}`,
      });
    }
  }
  findings.push(...widerPrincipalFindings(statements, { roleArn, broker }));
  return dedupe(findings);
}

/**
 * Principals other than the broker that may assume the role: each is a way
 * around Rolegate (no approval, no audit row, no revocation by grant).
 * Expected accounts are the broker's and the role's own; a principal of any
 * other account, `*`, a NotPrincipal Allow, or a service/federated principal
 * is flagged.
 */
function widerPrincipalFindings(statements: Statement[], ctx: { roleArn: string; broker: string }): RoleCheckFinding[] {
  const roleName = roleNameOf(ctx.roleArn);
  const expected = new Set([accountOfPrincipal(ctx.broker), parseRoleArn(ctx.roleArn)?.accountId].filter((a): a is string => !!a));
  const findings: RoleCheckFinding[] = [];
  for (const s of statements) {
    if (s.effect !== 'Allow' || !coversAction(s, 'sts:AssumeRole')) continue;
    const conditioned = s.conditionKeys.length > 0 ? ` (with conditions on ${s.conditionKeys.join(', ')})` : '';
    // "Principal": "*" (or NotPrincipal + Allow): the confused-deputy / public-role misconfiguration: anyone in any AWS account may assume it.
    if (s.principals.any || s.principals.not) {
      findings.push({
        code: 'TRUST_ANY_PRINCIPAL',
        severity: 'error',
        message: `The trust policy of ${roleName} lets ${s.principals.not ? 'every principal not listed in NotPrincipal' : 'any AWS principal ("*")'} assume it${conditioned}: access that bypasses Rolegate.`,
        fix: `Remove that statement; the broker needs only:\n${brokerTrustStatement(ctx.roleArn, ctx.broker)}`,
      });
      continue;
    }
    for (const p of s.principals.aws) {
      if (p === ctx.broker) continue;
      const account = accountOfPrincipal(p);
      if (account && expected.has(account)) continue;
      // Cross-account trust to an account nobody listed: its admins can assume the role without Rolegate.
      findings.push({
        code: 'TRUST_UNEXPECTED_ACCOUNT',
        severity: 'error',
        message: `The trust policy of ${roleName} lets ${isAccountPrincipal(p) ? `every principal of account ${account ?? p} (its root)` : `${p}`} assume it${conditioned}; that account is neither the broker's nor the role's own.`,
        fix: `Remove ${p} from the Principal of the trust policy of ${roleName}.`,
      });
    }
    for (const p of [...s.principals.service, ...s.principals.federated]) {
      findings.push({
        code: 'TRUST_NON_AWS_PRINCIPAL',
        severity: 'warning',
        message: `The trust policy of ${roleName} also lets ${p} assume it${conditioned}: sessions that way bypass Rolegate.`,
        fix: `Remove ${p} from the trust policy of ${roleName} unless that is intended.`,
      });
    }
  }
  return findings;
}

function dedupe(findings: RoleCheckFinding[]): RoleCheckFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every finding about one mapping's role: trust, MaxSessionDuration against
 * the mapping's maximum, and the revocation policy's attachment. An empty
 * list means the role is set up as Rolegate needs.
 */
export function checkRole(input: RoleCheckInput): RoleCheckFinding[] {
  const roleName = roleNameOf(input.roleArn);
  const o = input.observed;
  if (!o) {
    return [
      {
        code: 'ROLE_NOT_FOUND',
        severity: 'error',
        message: `IAM has no role ${roleName} in account ${parseRoleArn(input.roleArn)?.accountId ?? '?'} (GetRole: NoSuchEntity): every grant fails.`,
        fix: `Create the role with this trust policy, or correct the mapping's role ARN:\naws iam create-role --role-name ${roleName} --max-session-duration ${Math.max(3600, input.mappingMaxSeconds)} --assume-role-policy-document ${shellQuote(JSON.stringify(trustPolicyFor(input.roleArn, input.brokerPrincipalArn).policy))}`,
      },
    ];
  }
  const findings = trustFindings({ roleArn: input.roleArn, brokerPrincipalArn: input.brokerPrincipalArn, document: o.trustPolicyDocument });
  // STS refuses DurationSeconds above the role's MaxSessionDuration: longer grants of this mapping would fail.
  if (o.maxSessionDuration < input.mappingMaxSeconds) {
    findings.push({
      code: 'MAX_SESSION_TOO_SHORT',
      severity: 'error',
      message: `${roleName} allows sessions of at most ${o.maxSessionDuration} s but the mapping allows ${input.mappingMaxSeconds} s: longer grants fail (ValidationError).`,
      fix: `aws iam update-role --role-name ${roleName} --max-session-duration ${input.mappingMaxSeconds}\n(or lower the mapping's maximum to ${o.maxSessionDuration} s)`,
    });
  }
  // Without the revocation policy, revoking a grant or cutting a person off does not end their AWS sessions.
  if (!o.attachedPolicyArns.includes(input.revocationPolicyArn)) {
    findings.push({
      code: 'REVOCATION_POLICY_NOT_ATTACHED',
      severity: 'error',
      message: `${roleName} does not have the revocation policy ${input.revocationPolicyArn} attached: revoking a grant or cutting a person off would not end their sessions on this role.`,
      fix: `aws iam attach-role-policy --role-name ${roleName} --policy-arn ${input.revocationPolicyArn}`,
    });
  }
  return findings;
}

/** The findings' fixes as one text to paste (errors first), or null when there is nothing to fix. */
export function combinedFix(findings: readonly RoleCheckFinding[]): string | null {
  const ordered = [...findings.filter((f) => f.severity === 'error'), ...findings.filter((f) => f.severity !== 'error')];
  const fixes = [...new Set(ordered.map((f) => f.fix))];
  return fixes.length > 0 ? fixes.join('\n\n') : null;
}
