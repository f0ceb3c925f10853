import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditWhere } from '@rolegate/db';
import { createTestDatabase } from './support/stack.js';

/*
 * The grant table's indexes are write cost on every grant (each is written for
 * the pending row and again by the outcome UPDATE). Migration 20261208100000
 * dropped the access_key_id index (no query reads by it) and replaced the
 * role_arn index with one that serves both role filters of the audit API
 * (the role-name filter had none and scanned the whole time range).
 * bench/grant-table.ts measures the write cost; this pins the design.
 */
describe('grant table indexes (write cost vs. audit filters)', () => {
  let c: pg.Client;
  const dev = 'arn:aws:iam::111111111111:role/Developer';
  const devElsewhere = 'arn:aws:iam::222222222222:role/team/developer';

  beforeAll(async () => {
    c = new pg.Client({ connectionString: await createTestDatabase() });
    await c.connect();
    const userId = randomUUID();
    await c.query(
      `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups) VALUES ($1, 'oidc', 'https://idp', 's', 'a@example.com', 'A', '{}')`,
      [userId],
    );
    // Enough rows, spread over roles, that the planner has a real choice.
    await c.query(
      `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, account_id, role_arn, kind, status)
       SELECT gen_random_uuid(), now() - i * interval '1 minute', $1, 'a@example.com', 's', 'oidc', '{}', lpad((i % 40)::text, 12, '1'),
         'arn:aws:iam::' || lpad((i % 40)::text, 12, '1') || ':role/Role' || (i % 97), 'cli', 'issued'
       FROM generate_series(1, 20000) AS i`,
      [userId],
    );
    for (const arn of [dev, devElsewhere]) {
      await c.query(
        `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, account_id, role_arn, kind, status) VALUES ($1, $2, 'a@example.com', 's', 'oidc', '{}', $3, $4, 'cli', 'issued')`,
        [randomUUID(), userId, arn.split(':')[4], arn],
      );
    }
    await c.query('ANALYZE grants');
  });
  afterAll(async () => {
    await c?.end();
  });

  it('has no index on access_key_id, which no query filters on and the outcome UPDATE sets on every grant', async () => {
    const defs = (await c.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'grants'`)).rows.map((r) => r.indexdef as string);
    expect(defs.filter((d) => d.includes('access_key_id'))).toEqual([]);
    expect(defs.filter((d) => /\(role_arn, created_at/.test(d))).toEqual([]);
    expect(defs.some((d) => d.includes('grants_role_name_created_at_id_arn_idx'))).toBe(true);
  });

  async function plan(filter: Parameters<typeof auditWhere>[0]) {
    const w = auditWhere(filter, null);
    const res = await c.query(`EXPLAIN SELECT * FROM grants ${w.sql} ORDER BY created_at DESC, id DESC LIMIT 51`, w.params);
    return res.rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  }

  it('serves the role-name filter and the exact role ARN filter from the role-name index (no scan of the table)', async () => {
    for (const filter of [{ role: 'developer' }, { roleArn: dev }, { role: dev }]) {
      const p = await plan(filter);
      expect(p, JSON.stringify(filter)).toContain('grants_role_name_created_at_id_arn_idx');
      expect(p, JSON.stringify(filter)).not.toContain('Seq Scan');
    }
  });

  it('still matches exactly: an ARN finds only its own account, a name every account (case-insensitively)', async () => {
    const rows = async (filter: Parameters<typeof auditWhere>[0]) => {
      const w = auditWhere(filter, null);
      return (await c.query(`SELECT role_arn FROM grants ${w.sql} ORDER BY created_at DESC, id DESC`, w.params)).rows.map((r) => r.role_arn as string);
    };
    expect(await rows({ roleArn: dev })).toEqual([dev]);
    expect(await rows({ role: devElsewhere })).toEqual([devElsewhere]);
    expect((await rows({ role: 'DEVELOPER' })).sort()).toEqual([dev, devElsewhere]);
    expect(await rows({ role: 'Develop' })).toEqual([]);
  });
});
