import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function developerId(s: Stack): Promise<string> {
  return s.mappingId('arn:aws:iam::111111111111:role/Developer');
}

describe('a broker running on role credentials (role chaining)', () => {
  it('refuses sessions over one hour before calling AWS and sends no SessionDuration', async () => {
    stack = await startStack({ brokerArn: 'arn:aws:sts::000000000000:assumed-role/RolegateBroker/ecs-task' });
    const alice = await stack.signIn('alice');
    const id = await developerId(stack);
    const before = stack.aws.countCalls('AssumeRole');
    const long = await alice.post('/api/grants', { entitlementId: id, kind: 'console', durationSeconds: 7200 });
    expect(long.status).toBe(400);
    expect(long.json().error).toMatchObject({ code: 'INVALID_DURATION', details: { max: 3600 } });
    expect(stack.aws.countCalls('AssumeRole')).toBe(before);

    const ok = await alice.post('/api/grants', { entitlementId: id, kind: 'console', durationSeconds: 3600 });
    expect(ok.status).toBe(201);
    const fed = stack.aws.requests.filter((r) => r.action === 'getSigninToken').at(-1)!;
    expect(fed.params.SessionDuration).toBeUndefined();
  });

  it('assumes role chaining while the broker identity is unknown (fails closed)', async () => {
    stack = await startStack({ skipIdentityDetection: true });
    stack.aws.setFault('GetCallerIdentity', { kind: 'http5xx' });
    const alice = await stack.signIn('alice');
    const id = await developerId(stack);
    const long = await alice.post('/api/grants', { entitlementId: id, kind: 'cli', durationSeconds: 7200 });
    expect(long.status).toBe(400);
    expect(long.json().error.code).toBe('INVALID_DURATION');
    expect(stack.aws.countCalls('AssumeRole')).toBe(0);
  });
});
