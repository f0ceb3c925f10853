import { isAccountId } from '@rolegate/aws-names';
import { AppError, accountSpecOf, diffImport, mappingSpecOf, type AccountSpec, type FullMappingSpec, type ImportDiff, type MappingSpec } from '@rolegate/core';
import { db } from '../errors.js';
import type { PrismaClient, Tx } from '../client.js';
import { MAPPINGS_FILE_ACTOR, recordAdminChange, type Actor, type ChangeSource } from './admin-changes.js';
import { policyColumns, policyFromRow, type MappingRow } from './mappings.js';

/** A mapping with its account's name and timestamps, as admins see it. */
export interface AdminMappingRecord extends FullMappingSpec {
  id: string;
  accountName: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdminAccountRecord {
  id: string;
  name: string;
  /** The IAM role the broker assumes in this account for IAM calls, or null. */
  controlRoleArn: string | null;
  mappingCount: number;
  createdAt: Date;
  updatedAt: Date;
}

type AdminMappingRow = MappingRow & { createdAt: Date; updatedAt: Date };

const WITH_ACCOUNT = { account: { select: { name: true } } } as const;
const ORDER = [{ accountId: 'asc' }, { roleArn: 'asc' }, { group: 'asc' }, { id: 'asc' }] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Serializes admin writes (two imports at once would each diff against a stale state). */
const ADMIN_WRITE_LOCK = 7262001;

function toRecord(r: AdminMappingRow): AdminMappingRecord {
  return {
    id: r.id,
    ...mappingSpecOf({ ...r, ...policyFromRow(r) }),
    ...policyFromRow(r),
    accountName: r.account.name,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A spec as Prisma writes it (the policy's stages as JSON). */
function rowData(m: MappingSpec) {
  return { ...mappingSpecOf(m), ...policyColumns(m) };
}

/** What the change log stores for a mapping (policy fields only where not default). */
function snapshot(m: MappingSpec & { id: string }): Record<string, unknown> {
  return { id: m.id, ...mappingSpecOf(m) };
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No mapping with id ${id}`);
}

function duplicate(m: { group: string; roleArn: string }): AppError {
  return new AppError('DUPLICATE_MAPPING', `A mapping of group "${m.group}" to ${m.roleArn} already exists`, {
    issues: [{ path: 'roleArn', message: 'this group already has a mapping to this role' }],
  });
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'P2002';
}

async function lockAdminWrites(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_WRITE_LOCK})`;
}

async function requireAccount(tx: Tx, accountId: string): Promise<void> {
  if (!(await tx.account.findUnique({ where: { id: accountId }, select: { id: true } }))) {
    throw new AppError('VALIDATION_FAILED', `roleArn names account ${accountId}, which is not registered; add it under accounts first`, {
      issues: [{ path: 'roleArn', message: `account ${accountId} is not registered; add it under accounts first` }],
    });
  }
}

/** An import's diff, plus the accounts deleted (only when the file is the truth). */
export type AppliedState = ImportDiff & { accountsDeleted: AccountSpec[] };

async function applyDeclaredState(
  tx: Tx,
  declared: { accounts: AccountSpec[]; mappings: MappingSpec[] },
  opts: { dryRun: boolean; actor: Actor; source?: ChangeSource; pruneAccounts?: boolean },
): Promise<AppliedState> {
  const current = await currentState(tx);
  const diff = diffImport(current, declared);
  const keepAccounts = new Set(declared.accounts.map((a) => a.id));
  const accountsDeleted = opts.pruneAccounts ? current.accounts.filter((a) => !keepAccounts.has(a.id)) : [];
  if (opts.dryRun) return { ...diff, accountsDeleted };
  const { actor, source } = opts;
  const record = (change: Parameters<typeof recordAdminChange>[2]) => recordAdminChange(tx, actor, change, source);
  for (const a of diff.accounts.created) {
    await tx.account.create({ data: { id: a.id, name: a.name, controlRoleArn: a.controlRoleArn ?? null } });
    await record({ action: 'create', entity: 'account', entityId: a.id, before: null, after: { ...a } });
  }
  for (const { before, after } of diff.accounts.updated) {
    await tx.account.update({ where: { id: after.id }, data: { name: after.name, controlRoleArn: after.controlRoleArn ?? null } });
    await record({ action: 'update', entity: 'account', entityId: after.id, before: { ...before }, after: { ...after } });
  }
  for (const d of diff.deleted) {
    await tx.roleMapping.delete({ where: { id: d.id } });
    await record({ action: 'delete', entity: 'mapping', entityId: d.id, before: snapshot(d), after: null });
  }
  for (const u of diff.updated) {
    await tx.roleMapping.update({ where: { id: u.id }, data: rowData(u.after) });
    await record({
      action: 'update',
      entity: 'mapping',
      entityId: u.id,
      before: snapshot({ id: u.id, ...u.before }),
      after: snapshot({ id: u.id, ...u.after }),
    });
  }
  for (const c of diff.created) {
    const row = await tx.roleMapping.create({ data: rowData(c) });
    await record({ action: 'create', entity: 'mapping', entityId: row.id, before: null, after: snapshot({ id: row.id, ...c }) });
  }
  // After the mapping deletions: an account the file drops has no mappings left (the file's mappings name only its accounts).
  for (const a of accountsDeleted) {
    await tx.account.delete({ where: { id: a.id } });
    await record({ action: 'delete', entity: 'account', entityId: a.id, before: { ...a }, after: null });
  }
  return { ...diff, accountsDeleted };
}

/**
 * Interactive-transaction limits of a whole-document write (import, seed,
 * MAPPINGS_FILE): Prisma's default of 5 s ends a 2,000-mapping import (two
 * statements per change) half-way on a busy database, and the whole import
 * is then rolled back. Each statement still has the pool's statement timeout.
 */
export const BULK_TRANSACTION = { timeout: 120_000, maxWait: 10_000 };

async function currentState(tx: Tx) {
  const [mappings, accounts] = await Promise.all([
    tx.roleMapping.findMany({ include: WITH_ACCOUNT, orderBy: [...ORDER] }),
    tx.account.findMany({ orderBy: { id: 'asc' } }),
  ]);
  return { mappings: mappings.map(toRecord), accounts: accounts.map((a) => accountSpecOf(a)) };
}

/**
 * Admin writes to accounts and mappings. Every write runs in one transaction
 * together with its append-only admin_changes record (who, when, before,
 * after), so a change is never made without its record, nor recorded without
 * being made. `afterWrite` runs once each write transaction has ended
 * (committed or not): this instance drops its cached mappings at once rather
 * than waiting for the change notification.
 */
export function createAdminMappingRepository(prisma: PrismaClient, opts: { afterWrite?: () => void } = {}) {
  const inTx = <T>(fn: (tx: Tx) => Promise<T>, txOptions?: typeof BULK_TRANSACTION) =>
    db(async () => {
      try {
        return await prisma.$transaction(async (tx: Tx) => {
          await lockAdminWrites(tx);
          return fn(tx);
        }, txOptions);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('DUPLICATE_MAPPING', 'That group already has a mapping to that role');
        throw err;
      } finally {
        opts.afterWrite?.();
      }
    });

  return {
    /** Every mapping (enabled or not), ordered by account, role, group. */
    listMappings: () => db(async () => (await prisma.roleMapping.findMany({ include: WITH_ACCOUNT, orderBy: [...ORDER] })).map(toRecord)),

    /** One mapping, or null (also for ids that are not uuids). */
    findMapping: (id: string) =>
      db(async () => {
        if (!UUID.test(id)) return null;
        const r = await prisma.roleMapping.findUnique({ where: { id }, include: WITH_ACCOUNT });
        return r ? toRecord(r) : null;
      }),

    /** Creates a mapping (its account must exist). @throws AppError VALIDATION_FAILED | DUPLICATE_MAPPING */
    createMapping: (spec: MappingSpec, actor: Actor) =>
      inTx(async (tx) => {
        await requireAccount(tx, spec.accountId);
        if (await tx.roleMapping.findUnique({ where: { group_roleArn: { group: spec.group, roleArn: spec.roleArn } } })) throw duplicate(spec);
        const row = toRecord(await tx.roleMapping.create({ data: rowData(spec), include: WITH_ACCOUNT }));
        await recordAdminChange(tx, actor, { action: 'create', entity: 'mapping', entityId: row.id, before: null, after: snapshot(row) });
        return row;
      }),

    /**
     * Changes a mapping: `next` gets the stored mapping and returns the new
     * fields (it validates and may throw); the change is recorded with
     * before and after. @throws AppError NOT_FOUND | VALIDATION_FAILED | DUPLICATE_MAPPING
     */
    updateMapping: (id: string, next: (current: AdminMappingRecord) => MappingSpec, actor: Actor) =>
      inTx(async (tx) => {
        const found = UUID.test(id) ? await tx.roleMapping.findUnique({ where: { id }, include: WITH_ACCOUNT }) : null;
        if (!found) throw notFound(id);
        const before = toRecord(found);
        const spec = mappingSpecOf(next(before));
        if (spec.accountId !== before.accountId) await requireAccount(tx, spec.accountId);
        if (spec.group !== before.group || spec.roleArn !== before.roleArn) {
          const clash = await tx.roleMapping.findUnique({ where: { group_roleArn: { group: spec.group, roleArn: spec.roleArn } } });
          if (clash && clash.id !== id) throw duplicate(spec);
        }
        const row = toRecord(await tx.roleMapping.update({ where: { id }, data: rowData(spec), include: WITH_ACCOUNT }));
        await recordAdminChange(tx, actor, { action: 'update', entity: 'mapping', entityId: id, before: snapshot(before), after: snapshot(row) });
        return row;
      }),

    /** Deletes a mapping (grants keep their copy of the role ARN). @throws AppError NOT_FOUND */
    deleteMapping: (id: string, actor: Actor) =>
      inTx(async (tx) => {
        const found = UUID.test(id) ? await tx.roleMapping.findUnique({ where: { id }, include: WITH_ACCOUNT }) : null;
        if (!found) throw notFound(id);
        await tx.roleMapping.delete({ where: { id } });
        await recordAdminChange(tx, actor, { action: 'delete', entity: 'mapping', entityId: id, before: snapshot(toRecord(found)), after: null });
      }),

    /** Accounts with their number of mappings, by id. */
    listAccounts: () =>
      db(async () =>
        (await prisma.account.findMany({ orderBy: { id: 'asc' }, include: { _count: { select: { mappings: true } } } })).map((a): AdminAccountRecord => ({
          id: a.id,
          name: a.name,
          controlRoleArn: a.controlRoleArn,
          mappingCount: a._count.mappings,
          createdAt: a.createdAt,
          updatedAt: a.updatedAt,
        })),
      ),

    /** One account, or null. */
    findAccount: (id: string) =>
      db(async () => {
        if (!isAccountId(id)) return null;
        const a = await prisma.account.findUnique({ where: { id } });
        return a ? { id: a.id, name: a.name, controlRoleArn: a.controlRoleArn } : null;
      }),

    /**
     * Creates an account or changes its name and control role
     * (`controlRoleArn` undefined keeps the stored one, null clears it);
     * records the change (nothing when nothing changed).
     */
    upsertAccount: (id: string, name: string, actor: Actor, controlRoleArn?: string | null) =>
      inTx(async (tx): Promise<AdminAccountRecord> => {
        const before = await tx.account.findUnique({ where: { id } });
        const control = controlRoleArn === undefined ? (before?.controlRoleArn ?? null) : controlRoleArn;
        const row = await tx.account.upsert({
          where: { id },
          create: { id, name, controlRoleArn: control },
          update: { name, controlRoleArn: control },
          include: { _count: { select: { mappings: true } } },
        });
        if (!before || before.name !== name || before.controlRoleArn !== control) {
          await recordAdminChange(tx, actor, {
            action: before ? 'update' : 'create',
            entity: 'account',
            entityId: id,
            before: before ? { ...accountSpecOf(before) } : null,
            after: { ...accountSpecOf({ id, name, controlRoleArn: control }) },
          });
        }
        return {
          id: row.id,
          name: row.name,
          controlRoleArn: row.controlRoleArn,
          mappingCount: row._count.mappings,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
        };
      }),

    /**
     * Deletes an account no mapping uses, with its change record.
     * @throws AppError NOT_FOUND | ACCOUNT_IN_USE (mappings still name it: delete or move them first)
     */
    deleteAccount: (id: string, actor: Actor) =>
      inTx(async (tx) => {
        const found = isAccountId(id) ? await tx.account.findUnique({ where: { id }, include: { _count: { select: { mappings: true } } } }) : null;
        if (!found) throw new AppError('NOT_FOUND', `No account with id ${id}`);
        const mappingCount = found._count.mappings;
        if (mappingCount > 0) {
          throw new AppError('ACCOUNT_IN_USE', `Account ${id} is used by ${mappingCount} ${mappingCount === 1 ? 'mapping' : 'mappings'}: delete them first`, {
            mappingCount,
          });
        }
        await tx.account.delete({ where: { id } });
        await recordAdminChange(tx, actor, { action: 'delete', entity: 'account', entityId: id, before: { ...accountSpecOf(found) }, after: null });
      }),

    /** Accounts and mappings in the shape of a mappings file (for the YAML export). */
    snapshot: () => db(() => prisma.$transaction((tx: Tx) => currentState(tx), { isolationLevel: 'RepeatableRead' })),

    /**
     * Makes accounts and mappings equal the declared document, in one
     * transaction, and returns the diff. With `dryRun` nothing is written.
     * Mappings not declared are deleted; accounts are never deleted. Every
     * applied change is recorded in admin_changes.
     */
    importDeclared: (declared: { accounts: AccountSpec[]; mappings: MappingSpec[] }, opts: { dryRun: boolean; actor: Actor }) =>
      inTx(async (tx): Promise<ImportDiff> => {
        const { accountsDeleted: _none, ...diff } = await applyDeclaredState(tx, declared, { dryRun: opts.dryRun, actor: opts.actor });
        return diff;
      }, BULK_TRANSACTION),

    /**
     * Makes accounts and mappings equal MAPPINGS_FILE (the file is the truth):
     * like an import, and accounts the file does not list are deleted too.
     * Every change is recorded with actor `mappings-file` and the file's
     * SHA-256. Runs under the admin-write advisory lock and diffs against the
     * state it finds there, so replicas starting together apply the file once:
     * the first makes the changes, the others find nothing left to do.
     */
    /**
     * Seeds accounts and mappings only into an empty database (no account and
     * no mapping yet); returns false and changes nothing otherwise, so the
     * demo's seed never undoes an admin's renames, edits or deletions.
     */
    seedIfEmpty: (declared: { accounts: AccountSpec[]; mappings: MappingSpec[] }, actor: Actor) =>
      inTx(async (tx) => {
        if ((await tx.account.count()) > 0 || (await tx.roleMapping.count()) > 0) return false;
        await applyDeclaredState(tx, declared, { dryRun: false, actor });
        return true;
      }, BULK_TRANSACTION),

    applyFile: (declared: { accounts: AccountSpec[]; mappings: MappingSpec[] }, source: ChangeSource) =>
      inTx((tx) => applyDeclaredState(tx, declared, { dryRun: false, actor: MAPPINGS_FILE_ACTOR, source, pruneAccounts: true }), BULK_TRANSACTION),
  };
}

export type AdminMappingRepository = ReturnType<typeof createAdminMappingRepository>;
