import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, SANDBOX_DEVELOPER, type Stack, startStack } from '../support/stack.js';
import type { TestBrowser } from '../support/http-client.js';

let stack: Stack;
let alice: TestBrowser;
let devId = '';

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER, statementTimeoutMs: 1500 });
  alice = await stack.signIn('alice');
  devId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  stack.proxy.thaw();
  await stack?.close();
});

// Regression: with Postgres frozen for 61 s, grants hung until it came back
// and were then recorded issued for credentials nobody received. A frozen
// server enforces no statement_timeout: the client-side query timeout does.
describe('a frozen database', () => {
  it('answers 503 within the query timeout instead of hanging, hands out nothing, and recovers when it thaws', { timeout: 60_000 }, async () => {
    const calls = stack.aws.countCalls('AssumeRole');
    stack.proxy.freeze();
    let res;
    try {
      res = await alice.post('/api/grants', { entitlementId: devId, kind: 'cli' });
    } finally {
      stack.proxy.thaw();
    }
    expect(res.status).toBe(503);
    expect(res.json().error.code).toBe('DATABASE_UNAVAILABLE');
    expect(res.json().credentials).toBeUndefined();
    // The write-ahead insert never committed (or never reached AWS): nothing was sent to AWS.
    expect(stack.aws.countCalls('AssumeRole')).toBe(calls);
    await expect
      .poll(async () => (await alice.post('/api/grants', { entitlementId: devId, kind: 'cli' })).status, { timeout: 15_000, interval: 500 })
      .toBe(201);
  });

  // Regression: a stalled (not closed) LISTEN connection left a signed-out
  // session working on another replica for ~6 s. The keepalive query notices
  // within 2 s and the caches read through until the feed is back.
  it('a stalled LISTEN connection is noticed within about 2 s: the caches stop trusting it', { timeout: 30_000 }, async () => {
    const live = async () => {
      const text = await (await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      return /^rolegate_change_feed_live\{channel="rolegate_sessions"\} 1$/m.test(text);
    };
    await expect.poll(live, { timeout: 10_000 }).toBe(true);
    stack.proxy.freeze();
    try {
      // Noticed within the keepalive's bound (1 s interval + 1 s timeout), with slack for a busy machine;
      // the old 5 s + 3 s heartbeat never made it inside this window.
      await expect.poll(live, { timeout: 4_000, interval: 100 }).toBe(false);
    } finally {
      stack.proxy.thaw();
    }
    await expect.poll(live, { timeout: 15_000, interval: 200 }).toBe(true);
  });
});
