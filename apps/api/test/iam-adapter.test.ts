import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { startAwsEmulator, type AwsEmulator } from '@rolegate/aws-emulator';
import { isAppError, UpstreamError } from '@rolegate/core';
import { CONTROL_SESSION_NAME, createIamAdapter, type IamAdapterOptions, type IamControlPort } from '../src/adapters/iam.js';

/*
 * The IAM adapter against the AWS emulator over HTTP: IAM in each account
 * through that account's control role, one AssumeRole per control role until
 * shortly before its session expires.
 */

const BROKER = 'arn:aws:iam::000000000000:user/rolegate-broker';
const A = '111111111111';
const B = '222222222222';
const controlOf = (account: string, name = 'RolegateControl') => `arn:aws:iam::${account}:role/${name}`;
const readRoles = (account: string) => ({
  Control: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${account}:role/*` }] },
});

let aws: AwsEmulator;
const credentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
const controlRoles = new Map<string, string | null>();
let nowMs = Date.now();
let iam: IamControlPort;

beforeAll(async () => {
  aws = await startAwsEmulator({
    callers: [{ ...credentials, arn: BROKER }],
    roles: [
      { arn: controlOf(A), trustedPrincipals: [BROKER], inlinePolicies: readRoles(A) },
      { arn: controlOf(B), trustedPrincipals: [BROKER], inlinePolicies: readRoles(B) },
      { arn: controlOf(B, 'Untrusting'), trustedPrincipals: ['arn:aws:iam::999999999999:root'], inlinePolicies: readRoles(B) },
      { arn: `arn:aws:iam::${A}:role/Developer`, trustedPrincipals: [BROKER] },
      { arn: `arn:aws:iam::${B}:role/Developer`, trustedPrincipals: [BROKER] },
    ],
  });
  controlRoles.set(A, controlOf(A));
  controlRoles.set(B, controlOf(B));
  iam = createIamAdapter({
    region: 'us-east-1',
    stsEndpoint: aws.stsUrl,
    iamEndpoint: aws.iamUrl,
    timeoutMs: 3000,
    revocationPolicyName: 'RolegateRevocations',
    controlRoleOf: async (id) => controlRoles.get(id) ?? null,
    credentials,
    clock: { now: () => nowMs },
  });
});
afterAll(async () => {
  iam?.destroy();
  await aws?.close();
});

/** Another adapter on the same emulator (own caches), counting how often it loads the IAM SDK. */
function countingAdapter(overrides: Partial<IamAdapterOptions> = {}) {
  const counter = { loads: 0 };
  const adapter = createIamAdapter({
    region: 'us-east-1',
    stsEndpoint: aws.stsUrl,
    iamEndpoint: aws.iamUrl,
    timeoutMs: 3000,
    revocationPolicyName: 'RolegateRevocations',
    controlRoleOf: async (id) => controlRoles.get(id) ?? null,
    credentials,
    loadSdk: () => {
      counter.loads++;
      return import('../src/adapters/iam-sdk.js');
    },
    ...overrides,
  });
  onTestFinished(() => adapter.destroy());
  return { adapter, counter };
}
const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

const getRole = (account: string) => iam.call(account, (c, abortSignal) => c.send(new GetRoleCommand({ RoleName: 'Developer' }), { abortSignal }));
const assumesOf = (roleArn: string) => aws.requests.filter((r) => r.action === 'AssumeRole' && r.params.RoleArn === roleArn);

describe('IAM adapter', () => {
  it("calls IAM in each account as that account's control role", async () => {
    aws.clearLog();
    expect((await getRole(A)).Role?.Arn).toBe(`arn:aws:iam::${A}:role/Developer`);
    expect((await getRole(B)).Role?.Arn).toBe(`arn:aws:iam::${B}:role/Developer`);
    const calls = aws.requests.filter((r) => r.action === 'GetRole');
    expect(calls.map((r) => r.callerArn)).toEqual([
      `arn:aws:sts::${A}:assumed-role/RolegateControl/${CONTROL_SESSION_NAME}`,
      `arn:aws:sts::${B}:assumed-role/RolegateControl/${CONTROL_SESSION_NAME}`,
    ]);
    expect(assumesOf(controlOf(A))[0]?.callerArn).toBe(BROKER);
  });

  it('assumes a control role once for many (also concurrent) calls, and again shortly before its session expires', async () => {
    iam.destroy();
    aws.clearLog();
    await Promise.all([getRole(A), getRole(A), getRole(A)]);
    await getRole(A);
    expect(assumesOf(controlOf(A)).length).toBe(1);
    // 56 minutes on: within 5 minutes of the one-hour session's end, the next call renews it.
    nowMs += 56 * 60_000;
    await getRole(A);
    expect(assumesOf(controlOf(A)).length).toBe(2);
    // The renewed session (its expiry is the emulator's real clock plus an hour) is reused.
    nowMs = Date.now();
    await getRole(A);
    expect(assumesOf(controlOf(A)).length).toBe(2);
  });

  it('an account without a control role: CONTROL_ROLE_MISSING, and no AWS call at all', async () => {
    aws.clearLog();
    const err = await getRole('333333333333').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isAppError(err, 'CONTROL_ROLE_MISSING')).toBe(true);
    expect((err as Error).message).toContain('Account 333333333333 has no control role');
    expect(aws.requests).toEqual([]);
  });

  it('a control role that does not trust the broker: UpstreamError naming the control role, not cached', async () => {
    controlRoles.set(B, controlOf(B, 'Untrusting'));
    try {
      aws.clearLog();
      for (let i = 0; i < 2; i++) {
        const err = await getRole(B).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(UpstreamError);
        expect(err).toMatchObject({ service: 'iam', code: 'AccessDenied' });
        expect((err as Error).message).toContain(`assuming the control role ${controlOf(B, 'Untrusting')}`);
      }
      // Each attempt asked STS again (a refusal is not remembered), and IAM was never called.
      expect(assumesOf(controlOf(B, 'Untrusting')).length).toBe(2);
      expect(aws.countCalls('GetRole')).toBe(0);
    } finally {
      controlRoles.set(B, controlOf(B));
    }
    // The account's control role changed back: picked up at once.
    expect((await getRole(B)).Role?.Arn).toBe(`arn:aws:iam::${B}:role/Developer`);
  });

  it("names the revocation policy in the control role's partition", async () => {
    expect(await iam.revocationPolicyArn(A)).toBe(`arn:aws:iam::${A}:policy/RolegateRevocations`);
    controlRoles.set(B, 'arn:aws-us-gov:iam::222222222222:role/RolegateControl');
    try {
      expect(await iam.revocationPolicyArn(B)).toBe('arn:aws-us-gov:iam::222222222222:policy/RolegateRevocations');
    } finally {
      controlRoles.set(B, controlOf(B));
    }
  });

  it('assumes the control role with the lean STS call: session rolegate-control for an hour, no source identity or session tags', async () => {
    const { adapter } = countingAdapter();
    aws.clearLog();
    await adapter.call(A, (c, abortSignal, { GetRoleCommand: Get }) => c.send(new Get({ RoleName: 'Developer' }), { abortSignal }));
    const [assume] = assumesOf(controlOf(A));
    expect(assume?.status).toBe(200);
    expect(assume?.params).toMatchObject({ RoleSessionName: CONTROL_SESSION_NAME, DurationSeconds: '3600' });
    expect(Object.keys(assume!.params).filter((k) => k === 'SourceIdentity' || k.startsWith('Tags.'))).toEqual([]);
  });

  it('loads the IAM SDK only for an account with a control role, once for concurrent first calls', async () => {
    const { adapter, counter } = countingAdapter();
    aws.clearLog();
    // No control role (what a fresh production replica's mapping checks meet): refused before any load or AWS call.
    const missing = await failureOf(adapter.call('333333333333', async () => 'never'));
    expect(isAppError(missing, 'CONTROL_ROLE_MISSING')).toBe(true);
    expect(await adapter.revocationPolicyArn(A)).toBe(`arn:aws:iam::${A}:policy/RolegateRevocations`);
    expect(counter.loads).toBe(0);
    expect(aws.requests).toEqual([]);
    const roles = await Promise.all(
      [A, A, B].map((account) =>
        adapter.call(account, (c, abortSignal, { GetRoleCommand: Get }) => c.send(new Get({ RoleName: 'Developer' }), { abortSignal })),
      ),
    );
    expect(roles.map((r) => r.Role?.Arn)).toEqual([`arn:aws:iam::${A}:role/Developer`, `arn:aws:iam::${A}:role/Developer`, `arn:aws:iam::${B}:role/Developer`]);
    expect(counter.loads).toBe(1);
    expect(aws.countCalls('GetRole')).toBe(3);
  });

  it("bounds the control role's AssumeRole by the IAM timeout, and does not remember the timeout", async () => {
    const { adapter } = countingAdapter({ timeoutMs: 300 });
    aws.clearLog();
    aws.setFault('AssumeRole', { kind: 'delay', ms: 1500 });
    let err: unknown;
    try {
      err = await failureOf(adapter.call(A, (c, abortSignal, { GetRoleCommand: Get }) => c.send(new Get({ RoleName: 'Developer' }), { abortSignal })));
    } finally {
      aws.setFault('AssumeRole', null);
    }
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ service: 'iam', code: 'Timeout' });
    expect((err as Error).message).toContain(`assuming the control role ${controlOf(A)}`);
    expect(aws.countCalls('GetRole')).toBe(0);
    // The next call assumes the role again (a remembered failure would fail it) and goes through.
    const role = await adapter.call(A, (c, abortSignal, { GetRoleCommand: Get }) => c.send(new Get({ RoleName: 'Developer' }), { abortSignal }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::${A}:role/Developer`);
    expect(aws.countCalls('GetRole')).toBe(1);
  });

  it("a throttled AssumeRole of the control role is UpstreamError('iam', 'Throttling'), and the IAM SDK is not loaded for it", async () => {
    const { adapter, counter } = countingAdapter();
    aws.setFault('AssumeRole', { kind: 'throttle' });
    try {
      const err = await failureOf(adapter.call(B, async () => 'never'));
      expect(err).toMatchObject({ service: 'iam', code: 'Throttling' });
      expect((err as Error).message).toContain(`assuming the control role ${controlOf(B)}`);
      expect(counter.loads).toBe(0);
    } finally {
      aws.setFault('AssumeRole', null);
    }
  });
});
