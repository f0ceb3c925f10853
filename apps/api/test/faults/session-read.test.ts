import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEVELOPER, type Stack, startStack } from '../support/stack.js';
import type { TestBrowser } from '../support/http-client.js';


let stack: Stack;
let alice: TestBrowser;
let devId = '';

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER });
  alice = await stack.signIn('alice');
  devId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

const sessionRows = async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.subject = 'alice'`)).rows[0].n as number;

describe('a database hiccup does not sign people out', () => {
  // Regression: with every pooled connection busy (grants blocked on a lock),
  // the session read failed and the person was signed out once the database came back.
  it('a session read that fails answers 503 and leaves the session working afterwards', { timeout: 60_000 }, async () => {
    const sessionsBefore = await sessionRows();
    expect(sessionsBefore).toBeGreaterThan(0);
    const locker = await stack.sql.connect();
    let meStatus: number | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE grants IN ACCESS EXCLUSIVE MODE');
      const blocked = Array.from({ length: 30 }, () => alice.post('/api/grants', { entitlementId: devId, kind: 'cli' }).catch(() => null));
      await new Promise((r) => setTimeout(r, 1500));
      // A session this instance has not cached: the read must go to the exhausted pool.
      await stack.sql.query(`SELECT pg_notify('rolegate_sessions', '*')`);
      await new Promise((r) => setTimeout(r, 200));
      const me = await alice.get('/api/me');
      meStatus = me.status;
      setTimeout(() => void locker.query('ROLLBACK'), 2500);
      await Promise.all(blocked);
    } finally {
      locker.release();
    }
    expect(meStatus).toBe(503);
    const after = await alice.get('/api/me');
    expect(after.status).toBe(200);
    expect(await sessionRows()).toBe(sessionsBefore);
  });
});
