import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEVELOPER, startStack, type Stack } from '../support/stack.js';
import type { TestBrowser } from '../support/http-client.js';

// Issue 17's fault run, small: clients grant in a loop on keep-alive
// connections while the database is cut, frozen and locked and STS is slow.
// The counts the issue asks for: zero credentials without an `issued` row,
// zero connection resets, and no grant left `pending`.

let stack: Stack;
let alice: TestBrowser;
let devId = '';

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER });
  alice = await stack.signIn('alice');
  devId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  stack?.proxy.thaw();
  stack?.proxy.restore();
  stack?.aws.setFault('AssumeRole', null);
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a fault run', () => {
  it('database cut, frozen and locked, STS slow: every credential has its issued row, no reset, nothing left pending', { timeout: 120_000 }, async () => {
    const received: string[] = [];
    const statuses = new Map<number, number>();
    let resets = 0;
    let running = true;
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      cookie: alice.jar.header()!,
      'x-csrf-token': alice.csrfToken!,
      origin: stack.baseUrl,
    };
    const body = JSON.stringify({ entitlementId: devId, kind: 'cli' });
    const grant = (agent: http.Agent) =>
      new Promise<void>((resolve) => {
        const req = http.request(`${stack.baseUrl}/api/grants`, { method: 'POST', headers, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            statuses.set(res.statusCode!, (statuses.get(res.statusCode!) ?? 0) + 1);
            if (res.statusCode === 201) received.push(JSON.parse(text).credentials.accessKeyId);
            resolve();
          });
        });
        req.on('error', () => {
          resets++;
          resolve();
        });
        req.end(body);
      });
    const client = async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (running) await grant(agent);
      agent.destroy();
    };
    const clients = Array.from({ length: 6 }, client);

    await sleep(800);
    stack.proxy.cut(); // Postgres unreachable
    await sleep(1000);
    stack.proxy.restore();
    await sleep(800);
    stack.aws.setFault('AssumeRole', { kind: 'delay', ms: 700 });
    await sleep(300);
    stack.proxy.freeze(); // Postgres frozen while grants wait on STS
    await sleep(2500);
    stack.proxy.thaw();
    stack.aws.setFault('AssumeRole', null);
    await sleep(800);
    const locker = await stack.sql.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE grants IN ACCESS EXCLUSIVE MODE'); // Postgres locked
    await sleep(1500);
    await locker.query('ROLLBACK');
    locker.release();
    await sleep(800);
    running = false;
    await Promise.all(clients);

    expect(resets).toBe(0);
    expect(received.length).toBeGreaterThan(10);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0); // the faults did bite
    expect([...statuses.keys()].every((s) => s === 201 || s === 503)).toBe(true);
    // Zero credentials without an `issued` row.
    const issued = (await stack.sql.query<{ access_key_id: string }>(`SELECT access_key_id FROM grants WHERE status = 'issued'`)).rows.map(
      (r) => r.access_key_id,
    );
    const missing = received.filter((k) => !issued.includes(k));
    expect(missing).toEqual([]);
    // Nothing stays pending: the outcome writes lost to the faults are retried once the database is back.
    await expect
      .poll(async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM grants WHERE status = 'pending'`)).rows[0].n, { timeout: 30_000, interval: 500 })
      .toBe(0);
    // Every AssumeRole has its closed row.
    const rows = (await stack.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM grants WHERE status IN ('issued', 'failed')`)).rows[0]!.n;
    expect(rows).toBeGreaterThanOrEqual(stack.aws.countCalls('AssumeRole'));
    // Not asserted: an `issued` row whose commit answer was lost to the freeze (the client got a 503).
    // The row cannot be corrected afterwards (the runtime role may not change a closed grant); see the closing note.
  });
});
