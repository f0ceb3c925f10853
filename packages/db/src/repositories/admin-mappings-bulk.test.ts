import { describe, expect, it } from 'vitest';
import type { PrismaClient } from '../client.js';
import { BULK_TRANSACTION, createAdminMappingRepository } from './admin-mappings.js';

/**
 * Regression: a 2,000-mapping import (two statements per change) outlived
 * Prisma's default 5 s interactive-transaction timeout on a busy database and
 * was rolled back half-way ("A query cannot be executed on an expired
 * transaction"). Whole-document writes run with BULK_TRANSACTION's limits;
 * single edits keep Prisma's defaults.
 */
function fakePrisma() {
  const calls: unknown[] = [];
  const tx = {
    $executeRaw: async () => 0,
    roleMapping: { findMany: async () => [], count: async () => 0 },
    account: { findMany: async () => [], count: async () => 0, findUnique: async () => null },
  };
  const prisma = {
    $transaction: async (fn: (t: typeof tx) => Promise<unknown>, options?: unknown) => {
      calls.push(options);
      return fn(tx);
    },
  } as unknown as PrismaClient;
  return { prisma, calls };
}

const actor = { id: null, email: 'bob@example.com' };
const empty = { accounts: [], mappings: [] };

describe('whole-document mapping writes outlive the default transaction timeout', () => {
  it('import, seed and MAPPINGS_FILE apply run with BULK_TRANSACTION (minutes, not 5 s)', async () => {
    const { prisma, calls } = fakePrisma();
    const repo = createAdminMappingRepository(prisma);
    await repo.importDeclared(empty, { dryRun: true, actor });
    await repo.seedIfEmpty(empty, actor);
    await repo.applyFile(empty, { path: 'mappings.yaml', sha256: 'x'.repeat(64) } as never);
    expect(calls).toEqual([BULK_TRANSACTION, BULK_TRANSACTION, BULK_TRANSACTION]);
    expect(BULK_TRANSACTION.timeout).toBeGreaterThanOrEqual(60_000);
  });

  it('a single account delete keeps the default limits', async () => {
    const { prisma, calls } = fakePrisma();
    await expect(createAdminMappingRepository(prisma).deleteAccount('123456789012', actor)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(calls).toEqual([undefined]);
  });
});
