import { evaluateOperator, wildcardRegExp, type ContextValue } from './conditions.js';
import type { PolicyDocument, Statement } from './document.js';

/** What is being asked: one action on one resource, with the request context keys. */
export interface AuthzRequest {
  /** e.g. "s3:ListAllMyBuckets" */
  action: string;
  /** An ARN, or "*" for actions without resource-level permissions. */
  resource: string;
  /** Context keys (names are case-insensitive, as at AWS); absent keys are simply not listed. */
  context: Record<string, ContextValue | undefined>;
  /** Trust policies: who asks (matched against Principal / NotPrincipal). */
  principal?: PrincipalIdentity;
}

/** The caller as a trust policy's Principal element sees it. */
export interface PrincipalIdentity {
  /** The caller's ARN (for an assumed-role session, the session ARN). */
  arn: string;
  account: string;
  /** For a role session: the role's ARN, which a trust policy may name instead of the session. */
  roleArn?: string;
}

/** A policy with a name for messages (a managed policy's ARN, or "role/NAME/inline-NAME"). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

export type Decision =
  { effect: 'Allow'; policy: string; sid?: string } | { effect: 'ExplicitDeny'; policy: string; sid?: string } | { effect: 'ImplicitDeny' };

/** A context map with lower-cased key names (IAM condition keys, and tag keys, are case-insensitive). */
export function normaliseContext(context: Record<string, ContextValue | undefined>): Map<string, ContextValue> {
  const out = new Map<string, ContextValue>();
  for (const [k, v] of Object.entries(context)) if (v !== undefined) out.set(k.toLowerCase(), v);
  return out;
}

/**
 * Replaces policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`, `${?}`, `${$}`)
 * in 2012-10-17 documents; undefined when a variable's key is absent or multivalued (the value then matches nothing).
 */
function substitute(value: string, version: string, ctx: Map<string, ContextValue>): string | undefined {
  if (version !== '2012-10-17' || !value.includes('${')) return value;
  let missing = false;
  const out = value.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
    if (name === '*' || name === '?' || name === '$') return `\u0000${name}`;
    const [key, fallback] = name.split(/\s*,\s*'/, 2) as [string, string?];
    const v = ctx.get(key.trim().toLowerCase());
    if (typeof v === 'string') return v.replace(/[*?]/g, (c) => `\u0000${c}`);
    if (fallback !== undefined) return fallback.replace(/'$/, '');
    missing = true;
    return '';
  });
  return missing ? undefined : out;
}

/** Wildcard match where characters from substituted variables (marked with \0) match only themselves. */
function globMatch(value: string, pattern: string, ignoreCase: boolean): boolean {
  if (!pattern.includes('\u0000')) return wildcardRegExp(pattern, ignoreCase).test(value);
  const parts = pattern.split(/(\u0000.)/);
  const body = parts.map((p) => (p.startsWith('\u0000') ? p.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : wildcardRegExp(p).source.slice(1, -1))).join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's').test(value);
}

/** Actions match case-insensitively ("S3:listallmybuckets" is the same action). */
const actionMatches = (patterns: string[], action: string): boolean => patterns.some((p) => globMatch(action, p, true));

/** Resources match case-sensitively; "*" matches everything, including "*". */
function resourceMatches(patterns: string[], resource: string, version: string, ctx: Map<string, ContextValue>): boolean {
  return patterns.some((raw) => {
    const p = substitute(raw, version, ctx);
    return p !== undefined && (p === '*' || globMatch(resource, p, false));
  });
}

function principalMatches(principal: Record<string, string[]>, who: PrincipalIdentity | undefined): boolean {
  if (!who) return false;
  if (principal['*']) return true;
  return (principal.AWS ?? []).some((id) => {
    if (id === '*') return true;
    // An account id or its root ARN admits every principal of that account (the account then decides by identity policy).
    if (id === who.account || id === `arn:aws:iam::${who.account}:root` || id.endsWith(`:iam::${who.account}:root`)) return true;
    if (id === who.arn) return true;
    // A role ARN admits its sessions; the session ARN drops the role's path, so compare account and name.
    if (who.roleArn) {
      const name = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
      const acct = (arn: string): string => arn.split(':')[4] ?? '';
      const partition = (arn: string): string => arn.split(':')[1] ?? '';
      return /:iam::\d{12}:role\//.test(id) && acct(id) === who.account && name(id) === name(who.roleArn) && partition(id) === partition(who.roleArn);
    }
    return false;
  });
}

/** Whether a statement applies to the request (its Effect is then what it says). */
export function statementApplies(s: Statement, version: string, req: AuthzRequest, ctx: Map<string, ContextValue>): boolean {
  if (s.action && !actionMatches(s.action, req.action)) return false;
  if (s.notAction && actionMatches(s.notAction, req.action)) return false;
  if (s.resource && !resourceMatches(s.resource, req.resource, version, ctx)) return false;
  if (s.notResource && resourceMatches(s.notResource, req.resource, version, ctx)) return false;
  if (s.principal && !principalMatches(s.principal, req.principal)) return false;
  if (s.notPrincipal && principalMatches(s.notPrincipal, req.principal)) return false;
  // Every operator and every key must hold (AND); the values of one key are OR-ed inside evaluateOperator.
  for (const [operator, keys] of Object.entries(s.condition)) {
    for (const [key, rawValues] of Object.entries(keys)) {
      const values = rawValues.map((v) => substitute(v, version, ctx)).filter((v): v is string => v !== undefined);
      if (!evaluateOperator(operator, ctx.get(key.toLowerCase()), values)) return false;
    }
  }
  return true;
}

/**
 * IAM's decision over a set of policies: an applicable Deny wins over everything ("explicit deny"),
 * else an applicable Allow allows, else the request is implicitly denied.
 */
export function evaluatePolicies(policies: readonly NamedPolicy[], req: AuthzRequest): Decision {
  const ctx = normaliseContext(req.context);
  let allow: Decision | undefined;
  for (const p of policies) {
    for (const s of p.document.statements) {
      if (!statementApplies(s, p.document.version, req, ctx)) continue;
      if (s.effect === 'Deny') return { effect: 'ExplicitDeny', policy: p.name, ...(s.sid ? { sid: s.sid } : {}) };
      allow ??= { effect: 'Allow', policy: p.name, ...(s.sid ? { sid: s.sid } : {}) };
    }
  }
  return allow ?? { effect: 'ImplicitDeny' };
}
