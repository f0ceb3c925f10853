import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrantRepository } from '@rolegate/db';
import { createReconciler } from '../../src/reconciler.js';
import { SANDBOX_DEVELOPER, type Stack, startStack } from '../support/stack.js';
import type { TestBrowser } from '../support/http-client.js';

let stack: Stack;
let alice: TestBrowser;
let devId = '';
let carol: TestBrowser;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER });
  alice = await stack.signIn('alice');
  carol = await stack.signIn('carol');
  devId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  stack.aws.setFault('AssumeRole', null);
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rowOf = async (id: string) => (await stack.sql.query(`SELECT status, error, access_key_id FROM grants WHERE id = $1`, [id])).rows[0];
const latestGrant = async () => (await stack.sql.query(`SELECT id, status, error, access_key_id FROM grants ORDER BY created_at DESC LIMIT 1`)).rows[0];

async function seedPending(ageSeconds: number): Promise<string> {
  const id = randomUUID();
  await stack.sql.query(
    `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, account_id, role_arn, kind, status, role_session_name, source_identity)
     SELECT $1, now() - $2::int * interval '1 second', id, email, subject, 'oidc', '{engineers}', '111111111111', 'arn:aws:iam::111111111111:role/Developer', 'cli', 'pending', 'alice', 'alice'
     FROM users WHERE subject = 'alice' LIMIT 1`,
    [id, ageSeconds],
  );
  return id;
}

describe('no grant stays pending for ever', () => {
  // SIGKILL mid-grant, or the database lost between the STS answer and the
  // outcome write, left rows pending for ever (80 in the fault run).
  it('the reconciler closes pending rows older than the timeouts as abandoned, once, across instances', async () => {
    const old = await Promise.all([seedPending(3600), seedPending(3600), seedPending(3600)]);
    const fresh = await seedPending(1);
    const log = { warn: () => {} };
    const a = createReconciler({ grants: createGrantRepository(stack.sql), olderThanMs: 60_000, log });
    const b = createReconciler({ grants: createGrantRepository(stack.sql), olderThanMs: 60_000, log });
    const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
    const closed = [...ra, ...rb];
    for (const id of old) expect(closed.filter((c) => c === id)).toHaveLength(1);
    for (const id of old) expect(await rowOf(id)).toMatchObject({ status: 'abandoned', error: 'abandoned:aws-outcome-unknown' });
    expect((await rowOf(fresh)).status).toBe('pending');
    // Auditors find them.
    const page = await carol.get('/api/audit/grants?status=abandoned&limit=50');
    expect(page.status).toBe(200);
    expect(page.json().items.map((g: { id: string }) => g.id)).toEqual(expect.arrayContaining(old));
  });

  it('a client that left before the credentials were ready: recorded failed client:gone with the access key id, not issued', async () => {
    stack.aws.setFault('AssumeRole', { kind: 'delay', ms: 1200 });
    try {
      const ctl = new AbortController();
      // The request is aborted by the client (TestBrowser has no signal, so fetch directly).
      const res = fetch(`${stack.baseUrl}/api/grants`, {
        method: 'POST',
        signal: ctl.signal,
        headers: { 'content-type': 'application/json', cookie: alice.jar.header()!, 'x-csrf-token': alice.csrfToken! },
        body: JSON.stringify({ entitlementId: devId, kind: 'console' }),
      }).catch((e: Error) => e);
      await sleep(400);
      ctl.abort();
      await res;
    } finally {
      stack.aws.setFault('AssumeRole', null);
    }
    await expect
      .poll(async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM grants WHERE error = 'client:gone' AND kind = 'console'`)).rows[0].n, {
        timeout: 10_000,
      })
      .toBe(1);
    const gone = (await stack.sql.query(`SELECT status, access_key_id FROM grants WHERE error = 'client:gone' AND kind = 'console'`)).rows[0];
    expect(gone.status).toBe('failed');
    expect(gone.access_key_id).toMatch(/^ASIA/);
  });

  it('the database lost between the STS answer and the outcome: 503 that says so, and the outcome is recorded once it is back', async () => {
    stack.aws.setFault('AssumeRole', { kind: 'delay', ms: 1500 });
    let res;
    try {
      const pending = alice.post('/api/grants', { entitlementId: devId, kind: 'cli' });
      await sleep(600);
      stack.proxy.cut();
      res = await pending;
    } finally {
      stack.aws.setFault('AssumeRole', null);
      stack.proxy.restore();
    }
    expect(res.status).toBe(503);
    expect(res.json().error.message).toContain('AWS issued the session');
    expect(res.json().error.message).not.toContain('nothing was changed');
    expect(res.json().credentials).toBeUndefined();
    await expect.poll(async () => (await latestGrant()).status, { timeout: 20_000, interval: 500 }).toBe('failed');
    const row = await latestGrant();
    expect(row).toMatchObject({ error: 'db:outcome-not-recorded' });
    expect(row.access_key_id).toMatch(/^ASIA/);
  });
});
