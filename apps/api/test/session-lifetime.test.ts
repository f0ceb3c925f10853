import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { SESSION_TTL_SECONDS: '3' } });
});
afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session lifetime', () => {
  it('ends a session SESSION_TTL_SECONDS after sign-in, however active it is', async () => {
    const alice = await stack.signIn('alice');
    // Activity does not extend the session (no sliding expiry).
    for (let i = 0; i < 3; i++) {
      expect((await alice.get('/api/me')).status).toBe(200);
      await sleep(800);
    }
    await sleep(1000);
    const after = await alice.get('/api/me');
    expect(after.status).toBe(401);
    const before = stack.aws.countCalls('AssumeRole');
    const rows = (await stack.grantRows()).length;
    const grant = await alice.post('/api/grants', { entitlementId: '00000000-0000-0000-0000-000000000000', kind: 'cli' });
    expect(grant.status).toBe(403);
    expect(stack.aws.countCalls('AssumeRole')).toBe(before);
    expect((await stack.grantRows()).length).toBe(rows);
  });
});
