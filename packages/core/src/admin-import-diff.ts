import type { MappingFields } from './admin-rules.js';
import { DEFAULT_ACCESS_POLICY, policyOf, type AccessPolicy } from './access-policy.js';

/** A mapping as declared (YAML) or stored, without timestamps. */
export interface MappingSpec extends MappingFields {
  accountId: string;
}

/** A mapping spec with every policy field filled in (what mappingSpecOf returns). */
export type FullMappingSpec = MappingSpec & AccessPolicy;

export interface AccountSpec {
  id: string;
  name: string;
  /** The IAM role the broker assumes in this account for IAM calls; absent or null = none. */
  controlRoleArn?: string | null;
}

/** An account as exported, diffed and change-logged: `controlRoleArn` only when set (older documents stay as they were). */
export function accountSpecOf(a: AccountSpec): AccountSpec {
  return a.controlRoleArn ? { id: a.id, name: a.name, controlRoleArn: a.controlRoleArn } : { id: a.id, name: a.name };
}

/** What an import would do; the same shape for a dry run and for the applied import. */
export interface ImportDiff {
  created: MappingSpec[];
  updated: { id: string; before: MappingSpec; after: MappingSpec }[];
  deleted: (MappingSpec & { id: string })[];
  unchanged: number;
  accounts: { created: AccountSpec[]; updated: { before: AccountSpec; after: AccountSpec }[] };
}

const key = (m: { group: string; roleArn: string }) => `${m.group}\u0000${m.roleArn}`;

/**
 * The approval policy fields that differ from the default, in a fixed order:
 * an instant mapping's spec (and so its diff, export and change record) stays
 * exactly what it was before policies existed.
 */
function policyDelta(m: MappingSpec): Partial<AccessPolicy> {
  const full = policyOf(m);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(DEFAULT_ACCESS_POLICY) as (keyof AccessPolicy)[]) {
    if (JSON.stringify(full[k]) !== JSON.stringify(DEFAULT_ACCESS_POLICY[k])) out[k] = full[k];
  }
  return out as Partial<AccessPolicy>;
}

/** Only the fields an import controls, in a fixed order (so before/after compare and print alike); policy fields only where not default. */
export function mappingSpecOf(m: MappingSpec): MappingSpec {
  return {
    group: m.group,
    roleArn: m.roleArn,
    accountId: m.accountId,
    maxDurationSeconds: m.maxDurationSeconds,
    requireReason: m.requireReason,
    description: m.description,
    enabled: m.enabled,
    ...policyDelta(m),
  };
}

function sameSpec(a: MappingSpec, b: MappingSpec): boolean {
  return (
    a.accountId === b.accountId &&
    a.maxDurationSeconds === b.maxDurationSeconds &&
    a.requireReason === b.requireReason &&
    a.description === b.description &&
    a.enabled === b.enabled &&
    JSON.stringify(policyOf(a)) === JSON.stringify(policyOf(b))
  );
}

/**
 * The diff that makes the stored state equal the declared document. Mappings
 * are identified by (group, roleArn), exactly; stored mappings the document
 * does not declare are deleted; accounts are created or renamed, never
 * deleted. Duplicates in `declared` must have been refused before (they would
 * make the result depend on order).
 */
export function diffImport(
  current: { mappings: readonly (MappingSpec & { id: string })[]; accounts: readonly AccountSpec[] },
  declared: { mappings: readonly MappingSpec[]; accounts: readonly AccountSpec[] },
): ImportDiff {
  const stored = new Map(current.mappings.map((m) => [key(m), m]));
  const diff: ImportDiff = { created: [], updated: [], deleted: [], unchanged: 0, accounts: { created: [], updated: [] } };
  const seen = new Set<string>();
  for (const d of declared.mappings) {
    const k = key(d);
    seen.add(k);
    const s = stored.get(k);
    const after = mappingSpecOf(d);
    if (!s) diff.created.push(after);
    else if (sameSpec(s, after)) diff.unchanged++;
    else diff.updated.push({ id: s.id, before: mappingSpecOf(s), after });
  }
  for (const s of current.mappings) {
    if (!seen.has(key(s))) diff.deleted.push({ id: s.id, ...mappingSpecOf(s) });
  }
  const accounts = new Map(current.accounts.map((a) => [a.id, a]));
  for (const a of declared.accounts) {
    const s = accounts.get(a.id);
    if (!s) diff.accounts.created.push(accountSpecOf(a));
    else if (s.name !== a.name || (s.controlRoleArn ?? null) !== (a.controlRoleArn ?? null)) {
      diff.accounts.updated.push({ before: accountSpecOf(s), after: accountSpecOf(a) });
    }
  }
  return diff;
}
