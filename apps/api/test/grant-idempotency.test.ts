import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEVELOPER, type Stack, startStack } from './support/stack.js';
import { TestBrowser } from './support/http-client.js';

let stack: Stack;
let second: Awaited<ReturnType<Stack['startInstance']>>;
let alice: TestBrowser;
let developerId = '';

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER });
  second = await stack.startInstance();
  alice = await stack.signIn('alice');
  developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

const assumeCalls = () => stack.aws.countCalls('AssumeRole');
const grantCount = async () => (await stack.grantRows()).length;

/** `b`'s session and CSRF token presented at another instance. */
function at(b: TestBrowser, baseUrl: string): TestBrowser {
  const copy = new TestBrowser(baseUrl);
  copy.jar.store(b.jar.header()!.split('; '));
  copy.csrfToken = b.csrfToken;
  return copy;
}

const grant = (b: TestBrowser, key: string, body: Record<string, unknown> = { entitlementId: developerId, kind: 'cli', durationSeconds: 3600 }) =>
  b.post('/api/grants', body, { headers: { 'idempotency-key': key } });

// A client that retries after a lost response (timeout, dropped connection)
// must not mint a second set of credentials for one request.
describe('Idempotency-Key on POST /api/grants', () => {
  it('makes one grant for a repeated key and body, on the same instance and on another one: no second STS call', async () => {
    const key = randomUUID();
    const calls = assumeCalls();
    const rows = await grantCount();
    const first = await grant(alice, key);
    expect(first.status).toBe(201);
    const grantId = first.json().grant.id as string;
    expect(first.json().credentials.accessKeyId).toMatch(/^ASIA/);

    for (const b of [alice, at(alice, second.baseUrl)]) {
      const again = await grant(b, key);
      expect(again.status).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'IDEMPOTENT_REPLAY', details: { grantId, status: 'issued' } });
      // Credentials are handed out once: never stored, never replayed.
      expect(again.text).not.toContain('secretAccessKey');
    }
    expect(assumeCalls()).toBe(calls + 1);
    expect(await grantCount()).toBe(rows + 1);
  });

  it('refuses the same key with another body (422), calling nobody', async () => {
    const key = randomUUID();
    expect((await grant(alice, key)).status).toBe(201);
    const calls = assumeCalls();
    const rows = await grantCount();
    const other = await grant(alice, key, { entitlementId: developerId, kind: 'cli', durationSeconds: 7200 });
    expect(other.status).toBe(422);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(assumeCalls()).toBe(calls);
    expect(await grantCount()).toBe(rows);
  });

  it('keys are per person: bob may use alice’s key for his own request', async () => {
    const key = randomUUID();
    expect((await grant(alice, key)).status).toBe(201);
    const bob = await stack.signIn('bob');
    const res = await grant(bob, key);
    // bob is not an engineer: refused as not entitled, never as a replay of alice's grant
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('NOT_ENTITLED');
  });

  it('lets a retry run after an attempt that handed nothing out (STS throttled)', async () => {
    const key = randomUUID();
    stack.aws.setFault('AssumeRole', { kind: 'throttle' });
    try {
      expect((await grant(alice, key)).status).toBe(502);
    } finally {
      stack.aws.setFault('AssumeRole', null);
    }
    const retry = await grant(alice, key);
    expect(retry.status).toBe(201);
    expect((await grant(alice, key)).status).toBe(409);
  });

  it('refuses a malformed key with 400 before any work', async () => {
    const calls = assumeCalls();
    for (const key of ['x'.repeat(256), 'has space', 'tab\there']) {
      const res = await grant(alice, key);
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect(assumeCalls()).toBe(calls);
  });

  it('without a key, two identical requests are two grants (today’s behaviour)', async () => {
    const calls = assumeCalls();
    const body = { entitlementId: developerId, kind: 'cli' };
    expect((await alice.post('/api/grants', body)).status).toBe(201);
    expect((await alice.post('/api/grants', body)).status).toBe(201);
    expect(assumeCalls()).toBe(calls + 2);
  });
});
