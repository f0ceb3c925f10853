import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimitRepository, createSamlRepository, createSessionRepository } from '@rolegate/db';
import { startHousekeeping } from '../src/housekeeping.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const count = async (table: string) => (await stack.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('housekeeping', () => {
  it('deletes expired sessions, login transactions, SAML requests and replay rows, and keeps live ones', async () => {
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    for (const [id, at] of [
      ['old', past],
      ['live', future],
    ] as const) {
      await stack.sql.query(`INSERT INTO web_sessions (id, data, expires_at) VALUES ($1, '{}', $2)`, [`hk-${id}`, at]);
      await stack.sql.query(`INSERT INTO login_transactions (id, provider, session_id, return_to, expires_at) VALUES ($1, 'oidc', 'x', '/', $2)`, [
        `hk-${id}`,
        at,
      ]);
      await stack.sql.query(`INSERT INTO saml_requests (id, session_id, return_to, expires_at) VALUES ($1, 'x', '/', $2)`, [`hk-${id}`, at]);
      await stack.sql.query(`INSERT INTO saml_assertions (issuer, assertion_id, expires_at) VALUES ('idp', $1, $2)`, [`hk-${id}`, at]);
      await stack.sql.query(`INSERT INTO rate_limit_hits (key, hits, reset_at) VALUES ($1, 1, $2)`, [`hk-${id}`, at]);
    }
    const hk = startHousekeeping({
      sessions: createSessionRepository({ pool: stack.sql, relaxedPool: stack.sql }),
      saml: createSamlRepository(stack.prisma),
      rateLimits: createRateLimitRepository(stack.sql),
      log: { info: () => {}, warn: () => {} },
    });
    try {
      const result = await hk.runOnce();
      expect(result.sessions).toBeGreaterThanOrEqual(1);
      expect(result.saml).toBeGreaterThanOrEqual(1);
      expect(result.rateLimits).toBeGreaterThanOrEqual(1);
    } finally {
      await hk.stop();
    }
    for (const table of ['web_sessions', 'login_transactions', 'saml_requests']) {
      const ids = (await stack.sql.query(`SELECT id FROM ${table} WHERE id LIKE 'hk-%'`)).rows.map((r) => r.id);
      expect(ids, table).toEqual(['hk-live']);
    }
    const assertions = (await stack.sql.query(`SELECT assertion_id FROM saml_assertions WHERE assertion_id LIKE 'hk-%'`)).rows;
    expect(assertions.map((r) => r.assertion_id)).toEqual(['hk-live']);
    const counters = (await stack.sql.query(`SELECT key FROM rate_limit_hits WHERE key LIKE 'hk-%'`)).rows;
    expect(counters.map((r) => r.key)).toEqual(['hk-live']);
    expect(await count('web_sessions')).toBeGreaterThanOrEqual(1);
  });
});
