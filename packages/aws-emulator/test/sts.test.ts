import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { ADMIN_ROLE, BROKER, CHAINED_BROKER, DEV_ROLE, OUTSIDER, SECOND_ROLE, assume, failure, signedPost, startTestEmulator, stsClient } from './helpers.js';

describe('AssumeRole', () => {
  it('issues credentials with tags and SourceIdentity, parsed by the real SDK', async () => {
    const em = await startTestEmulator();
    const t0 = Date.now();
    const out = await stsClient(em).send(
      new AssumeRoleCommand({
        RoleArn: DEV_ROLE,
        RoleSessionName: 'alice@example.com',
        DurationSeconds: 7200,
        SourceIdentity: 'alice@example.com',
        Tags: [
          { Key: 'rolegate:grant-id', Value: 'g-123' },
          { Key: 'team', Value: 'platform' },
        ],
        TransitiveTagKeys: ['team'],
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::222222222222:assumed-role/Developer/alice@example.com');
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:alice@example\.com$/);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    const ttl = out.Credentials!.Expiration!.getTime() - t0;
    expect(ttl).toBeGreaterThan(7195_000);
    expect(ttl).toBeLessThan(7205_000);
    expect(out.SourceIdentity).toBe('alice@example.com');
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toBe(em.requests.at(-1)?.requestId);
    expect(em.countCalls('AssumeRole')).toBe(1);
  });

  it('omits SourceIdentity and PackedPolicySize when not requested; defaults to 3600 s', async () => {
    const em = await startTestEmulator();
    const t0 = Date.now();
    const out = await stsClient(em).send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'bob' }));
    expect(out.SourceIdentity).toBeUndefined();
    expect(out.PackedPolicySize).toBeUndefined();
    expect(Math.round((out.Credentials!.Expiration!.getTime() - t0) / 1000)).toBeGreaterThanOrEqual(3598);
    expect(Math.round((out.Credentials!.Expiration!.getTime() - t0) / 1000)).toBeLessThanOrEqual(3601);
  });

  it('takes the partition from the role ARN', async () => {
    const gov = 'arn:aws-us-gov:iam::444444444444:role/GovRole';
    const em = await startTestEmulator();
    em.addRole({ arn: gov, trustedPrincipals: ['*'] });
    const out = await stsClient(em).send(new AssumeRoleCommand({ RoleArn: gov, RoleSessionName: 'carol' }));
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws-us-gov:sts::444444444444:assumed-role/GovRole/carol');
  });

  it.each([
    ['a', 'have length greater than or equal to 2'],
    ['x'.repeat(65), 'have length less than or equal to 64'],
    ['alice smith', 'satisfy regular expression pattern'],
  ])('rejects RoleSessionName %j', async (name, constraint) => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: name })));
    expect(err.name).toBe('ValidationError');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      `1 validation error detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must ${constraint}${constraint.startsWith('satisfy') ? ': [\\w+=,.@-]*' : ''}`,
    );
    expect(em.requests.at(-1)).toMatchObject({ action: 'AssumeRole', status: 400, errorCode: 'ValidationError' });
  });

  it.each([
    [899, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    [43201, "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"],
  ])('rejects DurationSeconds %i', async (duration, message) => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: duration })));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(message);
  });

  it("rejects DurationSeconds above the role's MaxSessionDuration", async () => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: 'alice', DurationSeconds: 3601 })));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  });

  it.each([
    ['aws:alice', { SourceIdentity: 'aws:alice' }, "Value 'aws:alice' at 'sourceIdentity'"],
    ['bad SourceIdentity char', { SourceIdentity: 'alice smith' }, "at 'sourceIdentity'"],
    [
      'duplicate tag keys',
      {
        Tags: [
          { Key: 'Team', Value: 'a' },
          { Key: 'team', Value: 'b' },
        ],
      },
      'Duplicate tag keys',
    ],
    ['tag key too long', { Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }, "at 'tags.1.member.key'"],
    ['tag value bad char', { Tags: [{ Key: 'k', Value: 'semi;colon' }] }, "at 'tags.1.member.value'"],
    ['51 tags', { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, "at 'tags'"],
  ])('rejects %s', async (_label, extra, fragment) => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice', ...extra })));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toContain(fragment);
  });

  it('denies an untrusted caller with AWS’s AccessDenied message', async () => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em, OUTSIDER).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'mallory' })));
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.message).toBe(`User: ${OUTSIDER.arn} is not authorized to perform: sts:AssumeRole on resource: ${DEV_ROLE}`);
    expect(em.requests.at(-1)).toMatchObject({ status: 403, errorCode: 'AccessDenied', callerArn: OUTSIDER.arn });
  });

  it('denies an unknown role like an untrusted one', async () => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/Nope', RoleSessionName: 'alice' })));
    expect(err.name).toBe('AccessDenied');
  });

  it('enforces a configured ExternalId', async () => {
    const em = await startTestEmulator();
    const role = 'arn:aws:iam::555555555555:role/ThirdParty';
    em.addRole({ arn: role, trustedPrincipals: ['*'], externalId: 'ext-123' });
    expect((await failure(stsClient(em).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'a1' })))).name).toBe('AccessDenied');
    const ok = await stsClient(em).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'a1', ExternalId: 'ext-123' }));
    expect(ok.Credentials?.AccessKeyId).toBeDefined();
  });
});

describe('role chaining', () => {
  it('caps sessions assumed with emulator-issued role credentials at one hour', async () => {
    const em = await startTestEmulator();
    const dev = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: 43200 });
    const chained = stsClient(em, dev);
    const err = await failure(chained.send(new AssumeRoleCommand({ RoleArn: SECOND_ROLE, RoleSessionName: 'alice', DurationSeconds: 7200 })));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    const ok = await chained.send(new AssumeRoleCommand({ RoleArn: SECOND_ROLE, RoleSessionName: 'alice', DurationSeconds: 3600 }));
    expect(ok.AssumedRoleUser?.Arn).toBe('arn:aws:sts::333333333333:assumed-role/Second/alice');
    expect(em.requests.at(-1)?.callerArn).toBe('arn:aws:sts::222222222222:assumed-role/Developer/alice');
  });

  it('treats a configured caller with an assumed-role ARN as chained', async () => {
    const em = await startTestEmulator();
    const err = await failure(
      stsClient(em, CHAINED_BROKER).send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: 3601 })),
    );
    expect(err.message).toContain('role chaining');
    await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: 3600 }, CHAINED_BROKER);
  });

  it('requires the issued session token with issued keys', async () => {
    const em = await startTestEmulator();
    const dev = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const noToken = stsClient(em, { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey });
    expect((await failure(noToken.send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    const wrongToken = stsClient(em, { ...dev, sessionToken: dev.sessionToken + 'x' });
    expect((await failure(wrongToken.send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
  });

  it('rejects issued credentials after they expire', async () => {
    let clock = new Date();
    const em = await startTestEmulator({ now: () => clock });
    const dev = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice', DurationSeconds: 900 });
    clock = new Date(clock.getTime() + 901_000);
    const err = await failure(stsClient(em, dev).send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe('ExpiredToken');
    expect(err.$metadata.httpStatusCode).toBe(403);
  });
});

describe('GetCallerIdentity and authentication', () => {
  it('returns the caller of configured and issued credentials', async () => {
    const em = await startTestEmulator();
    const me = await stsClient(em).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Arn: BROKER.arn, Account: '111111111111' });
    expect(me.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(me.$metadata.requestId).toBe(em.requests.at(-1)?.requestId);
    const dev = await assume(em, { RoleArn: DEV_ROLE, RoleSessionName: 'alice' });
    const role = await stsClient(em, dev).send(new GetCallerIdentityCommand({}));
    expect(role).toMatchObject({ Arn: 'arn:aws:sts::222222222222:assumed-role/Developer/alice', Account: '222222222222' });
    expect(role.UserId).toMatch(/^AROA[A-Z0-9]{17}:alice$/);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em, { ...BROKER, secretAccessKey: BROKER.secretAccessKey + 'x' }).send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe('SignatureDoesNotMatch');
    expect(err.$metadata.httpStatusCode).toBe(403);
  });

  it('rejects an unknown access key with InvalidClientTokenId', async () => {
    const em = await startTestEmulator();
    const err = await failure(stsClient(em, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe('InvalidClientTokenId');
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(em.requests.at(-1)).toMatchObject({ status: 403, errorCode: 'InvalidClientTokenId' });
  });

  it('rejects a body changed after signing', async () => {
    const em = await startTestEmulator();
    const good = 'Action=GetCallerIdentity&Version=2011-06-15';
    expect((await signedPost(em, good)).status).toBe(200);
    const res = await signedPost(
      em,
      `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(DEV_ROLE)}&RoleSessionName=aa`,
      `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(DEV_ROLE)}&RoleSessionName=bb`,
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('answers an unsigned request with MissingAuthenticationToken and an unknown action with InvalidAction', async () => {
    const em = await startTestEmulator();
    const unsigned = await fetch(em.stsUrl, { method: 'POST', body: new URLSearchParams({ Action: 'GetCallerIdentity' }) });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const res = await signedPost(em, 'Action=Frobnicate&Version=2011-06-15');
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain('<Code>InvalidAction</Code>');
    expect(xml).toContain(`<RequestId>${res.headers.get('x-amzn-requestid')}</RequestId>`);
  });
});
