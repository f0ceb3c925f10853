/**
 * IAM condition operators, as AWS evaluates them. Pure functions, no I/O.
 *
 * A context value is a string (single-valued key) or a string[] (multivalued key,
 * e.g. aws:TagKeys); undefined means the key is absent from the request context.
 */
export type ContextValue = string | readonly string[];

/** The parts of a condition operator such as `ForAnyValue:StringLikeIfExists`. */
export interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: string;
  ifExists: boolean;
}

type Matcher = (contextValue: string, policyValue: string) => boolean;

/** Turns an IAM wildcard pattern (`*` any run, `?` one character) into an anchored RegExp. */
export function wildcardRegExp(pattern: string, ignoreCase = false): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}

/** ISO 8601 date-time or epoch seconds (as AWS accepts both); NaN when neither. */
export function parseDateValue(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // A bare date or a date-time with zone; Date.parse accepts more, so demand the ISO shape first.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return NaN;
  return Date.parse(value);
}

const num = (v: string): number => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN);
const cmp =
  (parse: (v: string) => number, test: (a: number, b: number) => boolean): Matcher =>
  (c, p) => {
    const a = parse(c);
    const b = parse(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };

/** Six colon-separated ARN parts; the resource part keeps its own colons. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ArnLike/ArnEquals: each of the six ARN parts is matched on its own, so `*` cannot run across a colon into another part. */
export function arnMatches(arn: string, pattern: string): boolean {
  if (pattern === '*') return true;
  const a = arnParts(arn);
  const p = arnParts(pattern);
  if (!a || !p) return false;
  return p.every((part, i) => wildcardRegExp(part).test(a[i]!));
}

/** The positive matcher of each base operator, and whether the operator is the negation of it. */
const OPERATORS: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (c, p) => c === p, negated: false },
  StringNotEquals: { match: (c, p) => c === p, negated: true },
  StringEqualsIgnoreCase: { match: (c, p) => c.toLowerCase() === p.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (c, p) => c.toLowerCase() === p.toLowerCase(), negated: true },
  StringLike: { match: (c, p) => wildcardRegExp(p).test(c), negated: false },
  StringNotLike: { match: (c, p) => wildcardRegExp(p).test(c), negated: true },
  NumericEquals: { match: cmp(num, (a, b) => a === b), negated: false },
  NumericNotEquals: { match: cmp(num, (a, b) => a === b), negated: true },
  NumericLessThan: { match: cmp(num, (a, b) => a < b), negated: false },
  NumericLessThanEquals: { match: cmp(num, (a, b) => a <= b), negated: false },
  NumericGreaterThan: { match: cmp(num, (a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { match: cmp(num, (a, b) => a >= b), negated: false },
  DateEquals: { match: cmp(parseDateValue, (a, b) => a === b), negated: false },
  DateNotEquals: { match: cmp(parseDateValue, (a, b) => a === b), negated: true },
  DateLessThan: { match: cmp(parseDateValue, (a, b) => a < b), negated: false },
  DateLessThanEquals: { match: cmp(parseDateValue, (a, b) => a <= b), negated: false },
  DateGreaterThan: { match: cmp(parseDateValue, (a, b) => a > b), negated: false },
  DateGreaterThanEquals: { match: cmp(parseDateValue, (a, b) => a >= b), negated: false },
  Bool: { match: (c, p) => c.toLowerCase() === p.toLowerCase(), negated: false },
  BinaryEquals: { match: (c, p) => c === p, negated: false },
  ArnEquals: { match: arnMatches, negated: false },
  ArnLike: { match: arnMatches, negated: false },
  ArnNotEquals: { match: arnMatches, negated: true },
  ArnNotLike: { match: arnMatches, negated: true },
};

/** Parses an operator name; undefined when IAM does not know it (a policy using it is malformed). */
export function parseOperator(name: string): ParsedOperator | undefined {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(\w+?)(IfExists)?$/.exec(name);
  if (!m) return undefined;
  const base = m[2]!;
  if (base === 'Null') return m[1] || m[3] ? undefined : { base, ifExists: false };
  if (!OPERATORS[base]) return undefined;
  return { ...(m[1] ? { set: m[1] as 'ForAnyValue' | 'ForAllValues' } : {}), base, ifExists: m[3] !== undefined };
}

/**
 * Evaluates one operator on one key.
 * Missing key: false, except `Null` (tests presence), `…IfExists` (true), negated operators
 * such as StringNotEquals (true: nothing equals the listed values) and ForAllValues (true: no value fails).
 * Several policy values are OR-ed; for a negated operator that means "matches none of them".
 */
export function evaluateOperator(operator: string, contextValue: ContextValue | undefined, policyValues: readonly string[]): boolean {
  const op = parseOperator(operator);
  if (!op) return false; // unknown operators are refused at policy validation; fail closed here
  const values = contextValue === undefined ? [] : typeof contextValue === 'string' ? [contextValue] : [...contextValue];
  const present = values.length > 0;
  if (op.base === 'Null') {
    // {"Null": {"k": "true"}} holds when k is absent; "false" when it is present.
    return policyValues.some((p) => (p.toLowerCase() === 'true' ? !present : present));
  }
  const { match, negated } = OPERATORS[op.base]!;
  const one = (c: string): boolean => {
    const any = policyValues.some((p) => match(c, p));
    return negated ? !any : any;
  };
  if (op.set === 'ForAllValues') return values.every(one);
  if (!present) return op.ifExists || (negated && op.set === undefined);
  // ForAnyValue, and a plain operator on a multivalued key: some context value satisfies it.
  // (A plain negated operator on several values: none of them matches.)
  if (op.set === undefined && negated) return values.every(one);
  return values.some(one);
}
