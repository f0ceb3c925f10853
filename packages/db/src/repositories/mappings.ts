import type { MappingSource, RoleMapping } from '@rolegate/core';
import { db } from '../errors.js';
import type { Database, Tx } from '../client.js';

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
};

function toMapping(r: MappingRow): RoleMapping {
  return {
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

export interface MappingInput {
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
  const source: MappingSource = {
    // On every grant: plain SQL.
    findById: (id) =>
      db(async () => {
        if (!UUID.test(id)) return null;
        const res = await pool.query<Omit<MappingRow, 'account'> & { accountName: string }>(
          `SELECT m.id, m."group", m.account_id AS "accountId", m.role_arn AS "roleArn",
                  m.max_duration_seconds AS "maxDurationSeconds", m.require_reason AS "requireReason",
                  m.description, m.enabled, a.name AS "accountName"
           FROM role_mappings m JOIN accounts a ON a.id = m.account_id WHERE m.id = $1`,
          [id],
        );
        const r = res.rows[0];
        return r ? toMapping({ ...r, account: { name: r.accountName } }) : null;
      }),
    listEnabled: () =>
      db(async () =>
        (
          await prisma.roleMapping.findMany({
            where: { enabled: true },
            include: { account: { select: { name: true } } },
            orderBy: [{ accountId: 'asc' }, { roleArn: 'asc' }, { id: 'asc' }],
          })
        ).map(toMapping),
      ),
  };

  /**
   * Makes accounts and mappings match a declared set (config as code) in one
   * transaction: declared ones are created or updated by (group, roleArn);
   * mappings not declared are left alone unless `prune` is set.
   */
  async function applyDeclared(
    declared: { accounts: { id: string; name: string }[]; mappings: MappingInput[] },
    opts: { prune?: boolean } = {},
  ): Promise<{ created: number; updated: number; removed: number }> {
    return db(() =>
      prisma.$transaction(async (tx: Tx) => {
        for (const a of declared.accounts) {
          await tx.account.upsert({ where: { id: a.id }, create: { id: a.id, name: a.name }, update: { name: a.name } });
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
      }),
    );
  }

  return { ...source, applyDeclared };
}

export type MappingRepository = ReturnType<typeof createMappingRepository>;
