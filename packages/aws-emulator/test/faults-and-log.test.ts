import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { DEV_ROLE, assume, failure, sessionJson, startTestEmulator, stsClient } from './helpers.js';

describe('faults', () => {
  it('throttle makes the SDK see Throttling, and clearing it restores service', async () => {
    const em = await startTestEmulator();
    em.setFault('AssumeRole', { kind: 'throttle' });
    const sts = stsClient(em);
    const err = await failure(sts.send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice' })));
    expect(err.name).toBe('Throttling');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(em.countCalls('AssumeRole')).toBe(1);
    await sts.send(new GetCallerIdentityCommand({})); // other actions unaffected
    em.setFault('AssumeRole', null);
    await sts.send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice' }));
  });

  it('http5xx answers 500 InternalFailure or the given status', async () => {
    const em = await startTestEmulator();
    em.setFault('GetCallerIdentity', { kind: 'http5xx' });
    const err = await failure(stsClient(em).send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe('InternalFailure');
    expect(err.$metadata.httpStatusCode).toBe(500);
    em.setFault('GetCallerIdentity', { kind: 'http5xx', status: 503 });
    const unavailable = await failure(stsClient(em).send(new GetCallerIdentityCommand({})));
    expect(unavailable.name).toBe('ServiceUnavailable');
    expect(unavailable.$metadata.httpStatusCode).toBe(503);
  });

  it('the SDK retries a 5xx by default, and every attempt is logged', async () => {
    const em = await startTestEmulator();
    em.setFault('GetCallerIdentity', { kind: 'http5xx' });
    const { STSClient } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({
      endpoint: em.stsUrl,
      region: 'us-east-1',
      maxAttempts: 2,
      credentials: { accessKeyId: 'AKIABROKER0000000001', secretAccessKey: 'broker-secret-value-0123456789abcdefghij' },
    });
    await failure(sts.send(new GetCallerIdentityCommand({})));
    sts.destroy();
    expect(em.countCalls('GetCallerIdentity')).toBe(2);
  });

  it('delay waits, then answers normally', async () => {
    const em = await startTestEmulator();
    em.setFault('AssumeRole', { kind: 'delay', ms: 300 });
    const t0 = performance.now();
    const out = await stsClient(em).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice' }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(out.Credentials?.AccessKeyId).toBeDefined();
  });

  it('reset destroys the connection', async () => {
    const em = await startTestEmulator();
    em.setFault('AssumeRole', { kind: 'reset' });
    const err = await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice' })));
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(em.requests.at(-1)).toMatchObject({ action: 'AssumeRole', errorCode: 'ConnectionReset' });
  });

  it('getSigninToken faults: throttle → 429, 5xx, delay, reset', async () => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const url = `${em.federationUrl}?${new URLSearchParams({ Action: 'getSigninToken', Session: sessionJson(creds) })}`;
    em.setFault('getSigninToken', { kind: 'throttle' });
    expect((await fetch(url)).status).toBe(429);
    em.setFault('getSigninToken', { kind: 'http5xx', status: 502 });
    expect((await fetch(url)).status).toBe(502);
    em.setFault('getSigninToken', { kind: 'reset' });
    await expect(fetch(url)).rejects.toThrow();
    em.setFault('getSigninToken', { kind: 'delay', ms: 200 });
    const t0 = performance.now();
    expect((await fetch(url)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(em.countCalls('getSigninToken')).toBe(4);
  });
});

describe('request log', () => {
  it('records every call in order and never holds a secret', async () => {
    const em = await startTestEmulator();
    const creds = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice', Tags: [{ Key: 'rolegate:grant-id', Value: 'g-1' }] });
    const post = await fetch(em.federationUrl, { method: 'POST', body: new URLSearchParams({ Action: 'getSigninToken', Session: sessionJson(creds) }) });
    const { SigninToken } = (await post.json()) as { SigninToken: string };
    const login = await fetch(
      `${em.federationUrl}?${new URLSearchParams({ Action: 'login', Issuer: 'rolegate', Destination: 'https://console.aws.amazon.com/', SigninToken })}`,
      { redirect: 'manual' },
    );
    const consoleId = new URL(login.headers.get('location')!, em.url).searchParams.get('session')!;
    await fetch(new URL(login.headers.get('location')!, em.url));
    await stsClient(em, creds).send(new GetCallerIdentityCommand({}));

    expect(em.requests.map((r) => `${r.service}:${r.action}:${r.status}`)).toEqual([
      'sts:AssumeRole:200',
      'federation:getSigninToken:200',
      'federation:login:302',
      'console:console:200',
      'sts:GetCallerIdentity:200',
    ]);
    expect(em.requests[0]?.params).toMatchObject({ RoleArn: DEV_ROLE, RoleSessionName: 'alice', 'Tags.member.1.Value': 'g-1' });
    expect(em.requests[1]?.params.Session).toBe('[redacted]');
    expect(em.requests[1]?.callerArn).toBe('arn:aws:sts::222222222222:assumed-role/Developer/alice');
    expect(em.requests[2]?.params).toMatchObject({ SigninToken: '[redacted]', Destination: 'https://console.aws.amazon.com/' });
    expect(em.requests[4]?.callerArn).toBe('arn:aws:sts::222222222222:assumed-role/Developer/alice');
    for (const r of em.requests) expect(Number.isNaN(Date.parse(r.at))).toBe(false);

    const log = JSON.stringify(em.requests);
    for (const secret of [creds.secretAccessKey, creds.sessionToken!, SigninToken, consoleId, 'broker-secret-value']) {
      expect(log).not.toContain(secret);
    }
    em.clearLog();
    expect(em.requests).toEqual([]);
    expect(em.countCalls('AssumeRole')).toBe(0);
  });
});
