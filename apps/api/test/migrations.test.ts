import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR } from '@rolegate/db';
import { createTestDatabase } from './support/stack.js';

describe('migration runner', () => {
  it('applies each migration once when several instances start together', async () => {
    const url = await createTestDatabase({ empty: true });
    const results = await Promise.all([1, 2, 3, 4].map(() => applyMigrations(url, MIGRATIONS_DIR)));
    const appliedTotal = results.reduce((n, r) => n + r.applied.length, 0);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const rows = await c.query(`SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"`);
    const tables = await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'grants'`);
    await c.end();
    expect(rows.rowCount).toBe(appliedTotal);
    expect(new Set(rows.rows.map((r) => r.migration_name)).size).toBe(rows.rowCount);
    expect(rows.rows.every((r) => r.finished_at !== null && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    expect(tables.rows[0].n).toBe(1);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const url = await createTestDatabase({ empty: true });
    await applyMigrations(url, MIGRATIONS_DIR);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`UPDATE "_prisma_migrations" SET checksum = repeat('0', 64)`);
    await c.end();
    await expect(applyMigrations(url, MIGRATIONS_DIR)).rejects.toThrow(/was modified after it was applied/);
  });
});
