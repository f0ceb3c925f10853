import { parseOperator } from './conditions.js';

/** One statement of a policy document, normalised: single values become one-element lists. */
export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Trust policies only: { AWS: [...] } etc.; "*" becomes { '*': ['*'] }. */
  principal?: Record<string, string[]>;
  notPrincipal?: Record<string, string[]>;
  /** operator → key → values */
  condition: Record<string, Record<string, string[]>>;
}

/** A parsed, validated policy document. */
export interface PolicyDocument {
  version: string;
  statements: Statement[];
}

/** Why a document is refused; `message` is IAM's MalformedPolicyDocument message. */
export class PolicySyntaxError extends Error {}

/** Where the document is used: identity policies must not name a Principal; trust policies must. */
export type PolicyKind = 'identity' | 'trust';

/** A managed policy may hold at most this many characters, whitespace not counted. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** A role's trust policy, same counting (the default quota). */
export const TRUST_POLICY_MAX_CHARS = 2048;

/** Characters of a document as IAM counts them against its size quotas: whitespace is not counted. */
export const policySize = (text: string): number => [...text.replace(/\s/g, '')].length;

const list = (v: unknown, what: string): string[] => {
  const arr = Array.isArray(v) ? v : [v];
  if (arr.length === 0 || !arr.every((x) => typeof x === 'string'))
    throw new PolicySyntaxError(`Syntax errors in policy. ${what} must be a string or a list of strings.`);
  return arr as string[];
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function principalOf(v: unknown): Record<string, string[]> {
  if (v === '*') return { '*': ['*'] };
  if (!isObject(v)) throw new PolicySyntaxError('Invalid principal in policy.');
  const out: Record<string, string[]> = {};
  for (const [type, ids] of Object.entries(v)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) throw new PolicySyntaxError(`Invalid principal in policy: "${type}"`);
    out[type] = list(ids, 'Principal');
  }
  return out;
}

function conditionOf(v: unknown): Record<string, Record<string, string[]>> {
  if (v === undefined) return {};
  if (!isObject(v)) throw new PolicySyntaxError('Syntax errors in policy. Condition must be an object.');
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(v)) {
    if (!parseOperator(operator)) throw new PolicySyntaxError(`Syntax errors in policy. Invalid Condition type : ${operator}.`);
    if (!isObject(block)) throw new PolicySyntaxError(`Syntax errors in policy. Condition ${operator} must map keys to values.`);
    const keys: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(block)) {
      const arr = Array.isArray(values) ? values : [values];
      // JSON booleans and numbers are allowed as condition values; IAM compares their text.
      if (!arr.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) {
        throw new PolicySyntaxError(`Syntax errors in policy. Condition values of ${key} must be strings.`);
      }
      keys[key] = arr.map(String);
    }
    out[operator] = keys;
  }
  return out;
}

function statementOf(raw: unknown, kind: PolicyKind): Statement {
  if (!isObject(raw)) throw new PolicySyntaxError('Syntax errors in policy. Statement must be an object.');
  const { Sid, Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition } = raw;
  const known = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new PolicySyntaxError(`Syntax errors in policy. Unknown field ${k}`);
  if (Effect !== 'Allow' && Effect !== 'Deny')
    throw new PolicySyntaxError(Effect === undefined ? 'Missing required field Effect' : `Invalid effect: ${String(Effect)}`);
  if ((Action === undefined) === (NotAction === undefined)) throw new PolicySyntaxError('Policy statement must contain actions.');
  if (kind === 'identity') {
    if (Principal !== undefined || NotPrincipal !== undefined) throw new PolicySyntaxError('Policy document should not specify a principal.');
    if ((Resource === undefined) === (NotResource === undefined)) throw new PolicySyntaxError('Policy statement must contain resources.');
  } else {
    if (Principal === undefined && NotPrincipal === undefined) throw new PolicySyntaxError('Missing required field Principal');
    if (Resource !== undefined || NotResource !== undefined) throw new PolicySyntaxError('Has prohibited field Resource');
  }
  if (Sid !== undefined && (typeof Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(Sid))) throw new PolicySyntaxError('Statement IDs (SID) must be alpha-numeric.');
  return {
    ...(Sid !== undefined ? { sid: Sid } : {}),
    effect: Effect,
    ...(Action !== undefined ? { action: list(Action, 'Action') } : {}),
    ...(NotAction !== undefined ? { notAction: list(NotAction, 'NotAction') } : {}),
    ...(Resource !== undefined ? { resource: list(Resource, 'Resource') } : {}),
    ...(NotResource !== undefined ? { notResource: list(NotResource, 'NotResource') } : {}),
    ...(Principal !== undefined ? { principal: principalOf(Principal) } : {}),
    ...(NotPrincipal !== undefined ? { notPrincipal: principalOf(NotPrincipal) } : {}),
    condition: conditionOf(Condition),
  };
}

/**
 * Parses and validates a policy document the way IAM does before storing it.
 * Throws PolicySyntaxError with IAM's MalformedPolicyDocument message.
 */
export function parsePolicyDocument(text: string, kind: PolicyKind = 'identity'): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PolicySyntaxError('This policy contains invalid Json');
  }
  if (!isObject(raw)) throw new PolicySyntaxError('This policy contains invalid Json');
  const version = raw.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw new PolicySyntaxError('The policy must contain a valid version string');
  if (raw.Statement === undefined) throw new PolicySyntaxError('Missing required field Statement');
  const rawStatements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  if (rawStatements.length === 0) throw new PolicySyntaxError('Missing required field Statement');
  return { version: version as string, statements: rawStatements.map((s) => statementOf(s, kind)) };
}
