import { policyOf, type AccessPolicy, type AccessPolicyInput, type ApprovalStage, type MappingSource, type RoleMapping } from '@rolegate/core';
import { db } from '../errors.js';
import type { Database, Tx } from '../client.js';
import { BULK_TRANSACTION } from './admin-mappings.js';
import type { ChangeFeed } from '../change-feed.js';

/** A mapping row with its account's name, as Prisma returns it. */
export type MappingRow = {
  id: string;
  group: string;
  accountId: string;
  roleArn: string;
  maxDurationSeconds: number;
  requireReason: boolean;
  description: string;
  enabled: boolean;
  account: { name: string };
} & PolicyColumns;

/** The policy columns of role_mappings, as Prisma and the SQL below return them (stages is JSON). */
export type PolicyColumns = {
  access: string;
  approvers: string[];
  approvals: number;
  stages: unknown;
  pendingTimeoutSeconds: number;
  escalateAfterSeconds: number | null;
  escalateTo: string[];
  breakGlass: boolean;
  reviewWithinSeconds: number;
};

/** The policy of a stored mapping (the columns are checked by the database and by policyIssues before any write). */
export function policyFromRow(r: PolicyColumns): AccessPolicy {
  return policyOf({
    access: r.access === 'approval' ? 'approval' : 'instant',
    approvers: r.approvers,
    approvals: r.approvals,
    stages: Array.isArray(r.stages) ? (r.stages as ApprovalStage[]).map((s) => ({ approvers: [...s.approvers], approvals: s.approvals })) : [],
    pendingTimeoutSeconds: r.pendingTimeoutSeconds,
    escalateAfterSeconds: r.escalateAfterSeconds,
    escalateTo: r.escalateTo,
    breakGlass: r.breakGlass,
    reviewWithinSeconds: r.reviewWithinSeconds,
  });
}

/** The policy as Prisma writes it (stages as JSON). */
export function policyColumns(m: AccessPolicyInput) {
  const p = policyOf(m);
  return { ...p, stages: p.stages.map((s) => ({ approvers: s.approvers, approvals: s.approvals })) };
}

export const POLICY_SQL = `m.access, m.approvers, m.approvals, m.stages, m.pending_timeout_seconds AS "pendingTimeoutSeconds",
  m.escalate_after_seconds AS "escalateAfterSeconds", m.escalate_to AS "escalateTo", m.break_glass AS "breakGlass",
  m.review_within_seconds AS "reviewWithinSeconds"`;

function toMapping(r: MappingRow): RoleMapping {
  return {
    ...policyFromRow(r),
    id: r.id,
    group: r.group,
    accountId: r.accountId,
    accountName: r.account.name,
    roleArn: r.roleArn,
    maxDurationSeconds: r.maxDurationSeconds,
    requireReason: r.requireReason,
    description: r.description,
    enabled: r.enabled,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface MappingInput extends AccessPolicyInput {
  group: string;
  roleArn: string;
  accountId: string;
  maxDurationSeconds: number;
  requireReason: boolean;
  description: string;
  enabled?: boolean;
}

/** Accounts and group → role mappings. */
export function createMappingRepository(database: Pick<Database, 'prisma' | 'pool'>) {
  const { prisma, pool } = database;
  const select = async (where: string, params: unknown[]) =>
    (
      await pool.query<Omit<MappingRow, 'account'> & { accountName: string }>(
        `SELECT m.id, m."group", m.account_id AS "accountId", m.role_arn AS "roleArn",
                m.max_duration_seconds AS "maxDurationSeconds", m.require_reason AS "requireReason",
                m.description, m.enabled, a.name AS "accountName", ${POLICY_SQL}
         FROM role_mappings m JOIN accounts a ON a.id = m.account_id ${where}`,
        params,
      )
    ).rows.map((r) => toMapping({ ...r, account: { name: r.accountName } }));
  const source: MappingSource & { listAll(): Promise<RoleMapping[]> } = {
    // On every grant (when not cached): plain SQL.
    findById: (id) => db(async () => (UUID.test(id) ? ((await select('WHERE m.id = $1', [id]))[0] ?? null) : null)),
    /** Every mapping, enabled or not, in listEnabled's order. */
    listAll: () => db(() => select('ORDER BY m.account_id, m.role_arn, m.id', [])),
    listEnabled: () => db(() => select('WHERE m.enabled ORDER BY m.account_id, m.role_arn, m.id', [])),
  };

  /**
   * Makes accounts and mappings match a declared set (config as code) in one
   * transaction: declared ones are created or updated by (group, roleArn);
   * mappings not declared are left alone unless `prune` is set.
   */
  async function applyDeclared(
    declared: { accounts: { id: string; name: string; controlRoleArn?: string | null }[]; mappings: MappingInput[] },
    opts: { prune?: boolean } = {},
  ): Promise<{ created: number; updated: number; removed: number }> {
    return db(() =>
      prisma.$transaction(async (tx: Tx) => {
        for (const a of declared.accounts) {
          const control = a.controlRoleArn === undefined ? {} : { controlRoleArn: a.controlRoleArn };
          await tx.account.upsert({ where: { id: a.id }, create: { id: a.id, name: a.name, ...control }, update: { name: a.name, ...control } });
        }
        let created = 0;
        let updated = 0;
        const keep = new Set<string>();
        for (const m of declared.mappings) {
          const data = {
            accountId: m.accountId,
            maxDurationSeconds: m.maxDurationSeconds,
            requireReason: m.requireReason,
            description: m.description,
            enabled: m.enabled ?? true,
            ...policyColumns(m),
          };
          const existing = await tx.roleMapping.findUnique({ where: { group_roleArn: { group: m.group, roleArn: m.roleArn } } });
          if (existing) {
            await tx.roleMapping.update({ where: { id: existing.id }, data });
            keep.add(existing.id);
            updated++;
          } else {
            const row = await tx.roleMapping.create({ data: { ...data, group: m.group, roleArn: m.roleArn } });
            keep.add(row.id);
            created++;
          }
        }
        let removed = 0;
        if (opts.prune) {
          const res = await tx.roleMapping.deleteMany({ where: { id: { notIn: [...keep] } } });
          removed = res.count;
        }
        return { created, updated, removed };
      }, BULK_TRANSACTION),
    );
  }

  return { ...source, applyDeclared };
}

export type MappingRepository = ReturnType<typeof createMappingRepository>;

/** The channel the mapping triggers NOTIFY on (migration 20261129150000). */
export const MAPPINGS_CHANNEL = 'rolegate_mappings';

export interface CachedMappingSource extends MappingSource {
  /** Drops the snapshot; the next read loads a fresh one. Call after a local write. */
  invalidate(): void;
}

/**
 * Mappings served from an in-memory snapshot of the whole (small) table,
 * dropped on every change the feed reports. A trigger NOTIFYs on any write to
 * `role_mappings` or `accounts`, by any instance or by hand, at commit.
 * While the feed is not live (not yet connected, reconnecting, LISTEN
 * refused) every read goes to the database, and a snapshot never outlives
 * `maxAgeMs`, so a change is never missed for long even if a notification is.
 */
export function createCachedMappingSource(
  source: MappingSource & { listAll(): Promise<RoleMapping[]> },
  feed: Pick<ChangeFeed, 'isLive' | 'subscribe'>,
  opts: { maxAgeMs?: number; now?: () => number } = {},
): CachedMappingSource {
  const maxAgeMs = opts.maxAgeMs ?? 30_000;
  const now = opts.now ?? Date.now;
  type Snapshot = { byId: Map<string, RoleMapping>; enabled: RoleMapping[] };
  let current: { at: number; load: Promise<Snapshot> } | null = null;
  const invalidate = () => {
    current = null;
  };
  feed.subscribe(invalidate);

  function snapshot(): Promise<Snapshot> | null {
    if (!feed.isLive()) return null;
    const t = now();
    if (!current || t - current.at > maxAgeMs) {
      const entry = {
        at: t,
        load: source.listAll().then((all) => {
          const frozen = all.map((m) => Object.freeze(m));
          return { byId: new Map(frozen.map((m) => [m.id, m])), enabled: frozen.filter((m) => m.enabled) };
        }),
      };
      current = entry;
      // A failed load is not kept: the next read tries again.
      entry.load.catch(() => {
        if (current === entry) current = null;
      });
    }
    return current.load;
  }

  return {
    invalidate,
    async findById(id) {
      const s = snapshot();
      return s ? ((await s).byId.get(id) ?? null) : source.findById(id);
    },
    async listEnabled() {
      const s = snapshot();
      return s ? [...(await s).enabled] : source.listEnabled();
    },
  };
}
