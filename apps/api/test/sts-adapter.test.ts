import { describe, expect, it, onTestFinished } from 'vitest';
import { startAwsEmulator } from '@rolegate/aws-emulator';
import { UpstreamError } from '@rolegate/core';
import { createStsAdapter } from '../src/adapters/sts.js';

// The STS adapter's own request and answer handling against the AWS emulator
// over HTTP: the emulator checks the SigV4 signature and validates the
// parameters as STS does, and injects AWS's faults.
describe('STS adapter over HTTP to the emulator (lean SigV4 Query call)', () => {
  const BROKER = {
    accessKeyId: 'AKIABROKER0000000001',
    secretAccessKey: 'broker-secret-value-0123456789abcdefghij',
    arn: 'arn:aws:iam::111111111111:user/rolegate-broker',
  };
  const CHAINED = {
    accessKeyId: 'ASIACHAINED000000001',
    secretAccessKey: 'chained-secret-value-0123456789abcdefghi',
    sessionToken: 'chained-session-token',
    arn: 'arn:aws:sts::111111111111:assumed-role/BrokerRole/i-0abc',
  };
  const ROLE = 'arn:aws:iam::222222222222:role/teams/Developer';
  const DENIED = 'arn:aws:iam::222222222222:role/NotTrusting';

  async function emulator() {
    const em = await startAwsEmulator({
      port: 0,
      callers: [BROKER, CHAINED],
      roles: [
        { arn: ROLE, maxSessionDuration: 43200, trustedPrincipals: [BROKER.arn, CHAINED.arn] },
        { arn: DENIED, trustedPrincipals: ['arn:aws:iam::999999999999:user/other'] },
      ],
    });
    onTestFinished(() => em.close());
    return em;
  }
  function adapter(stsUrl: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = BROKER, timeoutMs = 2000) {
    const sts = createStsAdapter({ region: 'us-east-1', endpoint: stsUrl, timeoutMs, credentials: creds });
    onTestFinished(() => sts.destroy());
    return sts;
  }
  const grant = (roleArn: string) => ({
    roleArn,
    roleSessionName: 'alice@example.com',
    sourceIdentity: 'alice@example.com',
    durationSeconds: 3600,
    tags: { 'rolegate:grant-id': 'g-1', 'rolegate:user': 'alice ops+1/=@x' },
  });
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  };

  it('assumes the role with a request the emulator verifies (signature, session name, source identity, tags, duration)', async () => {
    const em = await emulator();
    const out = await adapter(em.stsUrl).assumeRole(grant(ROLE));
    expect(out.credentials.accessKeyId).toMatch(/^ASIA/);
    expect(out.credentials.secretAccessKey.length).toBeGreaterThan(10);
    expect(out.credentials.sessionToken.length).toBeGreaterThan(10);
    expect(out.credentials.expiration).toBeInstanceOf(Date);
    expect(out.assumedRoleArn).toBe('arn:aws:sts::222222222222:assumed-role/Developer/alice@example.com');
    const [call] = em.requests;
    expect(call).toMatchObject({ action: 'AssumeRole', status: 200, callerArn: BROKER.arn, requestId: out.requestId });
    expect(call!.params).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: 'alice@example.com',
      SourceIdentity: 'alice@example.com',
      DurationSeconds: '3600',
      'Tags.member.1.Key': 'rolegate:grant-id',
      'Tags.member.1.Value': 'g-1',
      'Tags.member.2.Key': 'rolegate:user',
      'Tags.member.2.Value': 'alice ops+1/=@x',
    });
  });

  it('signs with a role-chained broker’s session token, and GetCallerIdentity tells it is role-chained', async () => {
    const em = await emulator();
    const sts = adapter(em.stsUrl, CHAINED);
    expect(await sts.detectIdentity()).toBe(CHAINED.arn);
    expect(await sts.isRoleChained()).toBe(true);
    await sts.assumeRole(grant(ROLE));
    expect(em.requests.map((r) => [r.action, r.status, r.callerArn])).toEqual([
      ['GetCallerIdentity', 200, CHAINED.arn],
      ['AssumeRole', 200, CHAINED.arn],
    ]);
    const plain = adapter(em.stsUrl);
    expect(await plain.isRoleChained()).toBe(false);
  });

  it('maps AWS refusals to their codes, with the message and the request id', async () => {
    const em = await emulator();
    const denied = await refusal(adapter(em.stsUrl).assumeRole(grant(DENIED)));
    expect(denied).toMatchObject({ service: 'sts', code: 'AccessDenied', requestId: em.requests[0]!.requestId });
    expect(denied.message).toContain('sts:AssumeRole');
    const badSecret = await refusal(adapter(em.stsUrl, { ...BROKER, secretAccessKey: 'wrong-secret-0000000000000000000000000000' }).assumeRole(grant(ROLE)));
    expect(badSecret.code).toBe('SignatureDoesNotMatch');
    expect(em.requests.map((r) => r.errorCode)).toEqual(['AccessDenied', 'SignatureDoesNotMatch']);
  });

  it.each([
    [{ kind: 'throttle' } as const, 'Throttling'],
    [{ kind: 'http5xx', status: 500 } as const, 'InternalFailure'],
    [{ kind: 'http5xx', status: 503 } as const, 'ServiceUnavailable'],
    [{ kind: 'reset' } as const, 'ConnectionError'],
    [{ kind: 'delay', ms: 1500 } as const, 'Timeout'],
  ])('fault %j: fails with %s after exactly one call (no retries)', async (fault, code) => {
    const em = await emulator();
    em.setFault('AssumeRole', fault);
    const err = await refusal(adapter(em.stsUrl, BROKER, 500).assumeRole(grant(ROLE)));
    expect(err.code).toBe(code);
    if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, 1100));
    expect(em.countCalls('AssumeRole')).toBe(1);
  });
});
