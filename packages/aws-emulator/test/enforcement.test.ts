// Enforcement: the role's identity policies (inline + attached managed, DEFAULT version) are
// evaluated against each session's context on every S3 ListBuckets, console page load and IAM call.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AwsEmulator } from '../src/index.js';
import { BROKER, assume, failure, iamClient, s3Client, sessionJson, startTestEmulator, type Creds } from './helpers.js';

const run = promisify(execFile);
const ACCOUNT = '222222222222';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Developer`;
const CONTROL_ROLE = `arn:aws:iam::${ACCOUNT}:role/RolegateControl`;
const REVOCATIONS = `arn:aws:iam::${ACCOUNT}:policy/RolegateRevocations`;
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const NOTHING_REVOKED = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': ['none'] } } }],
};
const revokeGrants = (ids: string[]) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Grants', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': ids } } }],
  });
const revokePerson = (name: string, before: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'People',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceIdentity': name }, DateLessThan: { 'aws:TokenIssueTime': before } },
      },
    ],
  });
const CONTROL_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:ListPolicyVersions',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:SetDefaultPolicyVersion',
      ],
      Resource: REVOCATIONS,
    },
    { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListAttachedRolePolicies'], Resource: `arn:aws:iam::${ACCOUNT}:role/*` },
  ],
};

/** An emulator with one brokered role (allow-all + RolegateRevocations attached) and a control role, plus a mutable clock. */
async function setup() {
  let now = new Date('2026-12-08T02:00:00Z');
  const clock = {
    now: () => now,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
  const em = await startTestEmulator({
    callers: [BROKER],
    now: () => clock.now(),
    managedPolicies: [{ arn: REVOCATIONS, document: NOTHING_REVOKED }],
    buckets: [{ account: ACCOUNT, name: 'team-data' }],
    roles: [
      { arn: ROLE, maxSessionDuration: 43200, trustedPrincipals: [BROKER.arn], inlinePolicies: { Work: ALLOW_ALL }, attachedPolicyArns: [REVOCATIONS] },
      { arn: CONTROL_ROLE, trustedPrincipals: [BROKER.arn], inlinePolicies: { Control: CONTROL_POLICY } },
    ],
  });
  return { em, clock };
}

const grantSession = (em: AwsEmulator, person: string, grantId: string) =>
  assume(em, { RoleArn: ROLE, RoleSessionName: person, SourceIdentity: person, Tags: [{ Key: 'rolegate:grant-id', Value: grantId }] });

const control = async (em: AwsEmulator) => iamClient(em, await assume(em, { RoleArn: CONTROL_ROLE, RoleSessionName: 'rolegate-broker' }));

/** Signs in to the console with the session and returns a function that loads the console page. */
async function consoleFor(em: AwsEmulator, creds: Creds): Promise<() => Promise<{ status: number; html: string }>> {
  const res = await fetch(`${em.federationUrl}?${new URLSearchParams({ Action: 'getSigninToken', Session: sessionJson(creds) })}`);
  const { SigninToken } = (await res.json()) as { SigninToken: string };
  const login = await fetch(`${em.federationUrl}?${new URLSearchParams({ Action: 'login', Destination: 'https://console.aws.amazon.com/', SigninToken })}`, {
    redirect: 'manual',
  });
  const page = new URL(login.headers.get('location')!, em.url);
  return async () => {
    const r = await fetch(page);
    return { status: r.status, html: await r.text() };
  };
}

const listBuckets = async (em: AwsEmulator, creds: Creds) => (await s3Client(em, creds).send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);

describe('revoking one grant through the attached managed policy', () => {
  it('denies that session’s ListBuckets and console page on the next request; another session on the same role keeps working', async () => {
    const { em } = await setup();
    const alice = await grantSession(em, 'alice', 'g-alice');
    const bob = await grantSession(em, 'bob', 'g-bob');
    const aliceConsole = await consoleFor(em, alice);
    const bobConsole = await consoleFor(em, bob);
    expect(await listBuckets(em, alice)).toEqual(['team-data']);
    expect((await aliceConsole()).status).toBe(200);
    expect((await aliceConsole()).html).toContain('<code>team-data</code>');

    // The broker's move: a new default version of RolegateRevocations, made through the control role.
    const iam = await control(em);
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: revokeGrants(['g-alice']), SetAsDefault: true }));
    expect(em.managedPolicy(REVOCATIONS)?.defaultVersionId).toBe('v2');

    const denied = await failure(listBuckets(em, alice));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Developer/alice is not authorized to perform: s3:ListAllMyBuckets on resource: * with an explicit deny in an identity-based policy: ${REVOCATIONS}`,
    );
    const page = await aliceConsole();
    expect(page.status).toBe(403);
    expect(page.html).toContain('id="access-denied"');
    expect(page.html).not.toContain('team-data');
    expect(em.requests.filter((r) => r.errorCode === 'AccessDenied').map((r) => [r.service, r.action, r.callerArn])).toEqual([
      ['s3', 'ListBuckets', `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/alice`],
      ['console', 'console', `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/alice`],
    ]);

    expect(await listBuckets(em, bob)).toEqual(['team-data']);
    expect((await bobConsole()).status).toBe(200);

    // Only the DEFAULT version counts: a newer non-default version changes nothing, making v1 the default again lifts the deny.
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: JSON.stringify(NOTHING_REVOKED), SetAsDefault: false }));
    expect(await failure(listBuckets(em, alice))).toMatchObject({ name: 'AccessDenied' });
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: REVOCATIONS, VersionId: 'v1' }));
    expect(await listBuckets(em, alice)).toEqual(['team-data']);
  });

  it('denies on a session tag whatever case the policy spells the tag key in', async () => {
    const { em } = await setup();
    const alice = await grantSession(em, 'alice', 'g-alice');
    await (
      await control(em)
    ).send(
      new CreatePolicyVersionCommand({
        PolicyArn: REVOCATIONS,
        PolicyDocument: revokeGrants(['g-alice']).replace('rolegate:grant-id', 'Rolegate:Grant-ID'),
        SetAsDefault: true,
      }),
    );
    expect(await failure(listBuckets(em, alice))).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('cutting a person off by source identity and token issue time', () => {
  it('denies that person’s sessions issued before the cut-off, not newer ones, and not other people’s', async () => {
    const { em, clock } = await setup();
    const oldAlice = await grantSession(em, 'alice', 'g-1');
    const carol = await grantSession(em, 'carol', 'g-2');
    const oldConsole = await consoleFor(em, oldAlice);
    clock.advance(60);
    const cutOff = clock.now().toISOString();
    await (
      await control(em)
    ).send(new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: revokePerson('alice', cutOff), SetAsDefault: true }));
    clock.advance(1);
    const newAlice = await grantSession(em, 'alice', 'g-3');

    expect(await failure(listBuckets(em, oldAlice))).toMatchObject({ name: 'AccessDenied' });
    expect((await oldConsole()).status).toBe(403);
    expect(await listBuckets(em, newAlice)).toEqual(['team-data']);
    expect(await listBuckets(em, carol)).toEqual(['team-data']);
  });

  it('a session issued in the very second of the cut-off is not older than it (DateLessThan is strict)', async () => {
    const { em } = await setup();
    const alice = await grantSession(em, 'alice', 'g-1');
    await (
      await control(em)
    ).send(new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: revokePerson('alice', '2026-12-08T02:00:00Z'), SetAsDefault: true }));
    expect(await listBuckets(em, alice)).toEqual(['team-data']);
  });
});

describe('identity policies on IAM calls by a role session', () => {
  it('lets the control role manage only the revocation policy and read roles; everything else is AccessDenied', async () => {
    const { em } = await setup();
    const iam = await control(em);
    const role = await iam.send(new GetRoleCommand({ RoleName: 'Developer' }));
    expect(role.Role?.Arn).toBe(ROLE);
    const v1 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: REVOCATIONS, VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(v1.PolicyVersion!.Document!))).toEqual(NOTHING_REVOKED);

    const create = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'Sneaky', PolicyDocument: JSON.stringify(ALLOW_ALL) })));
    expect(create.name).toBe('AccessDenied');
    expect(create.$metadata.httpStatusCode).toBe(403);
    expect(create.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/RolegateControl/rolegate-broker is not authorized to perform: iam:CreatePolicy on resource: arn:aws:iam::${ACCOUNT}:policy/Sneaky because no identity-based policy allows the iam:CreatePolicy action`,
    );
    expect(em.managedPolicy(`arn:aws:iam::${ACCOUNT}:policy/Sneaky`)).toBeUndefined();
    const attach = await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })));
    expect(attach.name).toBe('AccessDenied');
    expect(em.role(ROLE)?.attachedPolicyArns).toEqual([REVOCATIONS]);
    expect(em.requests.filter((r) => r.service === 'iam').map((r) => [r.action, r.status])).toEqual([
      ['GetRole', 200],
      ['GetPolicyVersion', 200],
      ['CreatePolicy', 403],
      ['AttachRolePolicy', 403],
    ]);
  });

  it('a brokered role session (allow-all, but revoked) cannot call IAM either once denied', async () => {
    const { em } = await setup();
    const alice = await grantSession(em, 'alice', 'g-alice');
    const iamAsAlice = iamClient(em, alice);
    expect((await iamAsAlice.send(new GetRoleCommand({ RoleName: 'Developer' }))).Role?.RoleName).toBe('Developer');
    await (await control(em)).send(new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: revokeGrants(['g-alice']), SetAsDefault: true }));
    expect(await failure(iamAsAlice.send(new GetRoleCommand({ RoleName: 'Developer' })))).toMatchObject({ name: 'AccessDenied' });
  });

  it('configured IAM users without policies stay unrestricted', async () => {
    const { em } = await setup();
    const out = await iamClient(em, BROKER).send(new CreatePolicyCommand({ PolicyName: 'Anything', PolicyDocument: JSON.stringify(ALLOW_ALL) }));
    expect(out.Policy?.Arn).toBe('arn:aws:iam::111111111111:policy/Anything');
    expect(await listBuckets(em, BROKER)).toEqual([]);
  });
});

describe('identity policies of roles', () => {
  it('a role whose policies do not allow s3:ListAllMyBuckets is implicitly denied; one defined without policies is allowed', async () => {
    const { em } = await setup();
    em.addRole({
      arn: `arn:aws:iam::${ACCOUNT}:role/ReadIam`,
      trustedPrincipals: [BROKER.arn],
      inlinePolicies: { Iam: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }] } },
    });
    em.addRole({ arn: `arn:aws:iam::${ACCOUNT}:role/Legacy`, trustedPrincipals: [BROKER.arn] });
    const narrow = await assume(em, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/ReadIam`, RoleSessionName: 'x1' });
    const denied = await failure(listBuckets(em, narrow));
    expect(denied.name).toBe('AccessDenied');
    expect(denied.message).toMatch(/because no identity-based policy allows the s3:ListAllMyBuckets action$/);
    const legacy = await assume(em, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/Legacy`, RoleSessionName: 'x2' });
    expect(await listBuckets(em, legacy)).toEqual(['team-data']);
    expect(em.role(`arn:aws:iam::${ACCOUNT}:role/Legacy`)?.inlinePolicyNames).toEqual(['EmulatorDefaultAllowAll']);
  });

  it('a managed policy attached through the IAM API takes effect for sessions issued before it', async () => {
    const { em } = await setup();
    const alice = await grantSession(em, 'alice', 'g-alice');
    em.addManagedPolicy({
      arn: `arn:aws:iam::${ACCOUNT}:policy/NoS3`,
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] },
    });
    const aliceIam = iamClient(em, alice);
    await aliceIam.send(new AttachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/NoS3` }));
    expect(await failure(listBuckets(em, alice))).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('identity policies of the caller on AssumeRole', () => {
  it('role chaining needs sts:AssumeRole in the calling role’s own policies, not only in the target’s trust policy', async () => {
    const { em } = await setup();
    const hop = `arn:aws:iam::${ACCOUNT}:role/Hop`;
    const target = `arn:aws:iam::${ACCOUNT}:role/Target`;
    em.addRole({
      arn: hop,
      trustedPrincipals: [BROKER.arn],
      inlinePolicies: { S3: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
    });
    em.addRole({ arn: target, trustedPrincipals: [hop] });
    const hopSession = await assume(em, { RoleArn: hop, RoleSessionName: 'hop' });
    const refused = await failure(assume(em, { RoleArn: target, RoleSessionName: 'chained' }, hopSession));
    expect(refused.name).toBe('AccessDenied');
    expect(refused.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Hop/hop is not authorized to perform: sts:AssumeRole on resource: ${target} because no identity-based policy allows the sts:AssumeRole action`,
    );
    em.addRole({
      arn: hop,
      trustedPrincipals: [BROKER.arn],
      inlinePolicies: { Chain: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: target }] } },
    });
    const chained = await assume(em, { RoleArn: target, RoleSessionName: 'chained' }, hopSession);
    expect(chained.accessKeyId).toMatch(/^ASIA/);
  });

  it('a configured caller given policies is held to them', async () => {
    const narrow = {
      accessKeyId: 'AKIANARROW0000000001',
      secretAccessKey: 'narrow-secret-value-0123456789abcdefghij',
      arn: 'arn:aws:iam::111111111111:user/narrow',
    };
    const em = await startTestEmulator({
      callers: [{ ...narrow, policies: { OnlyDev: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE }] } } }],
      roles: [
        { arn: ROLE, trustedPrincipals: [narrow.arn] },
        { arn: CONTROL_ROLE, trustedPrincipals: [narrow.arn] },
      ],
    });
    expect((await assume(em, { RoleArn: ROLE, RoleSessionName: 's1' }, narrow)).accessKeyId).toMatch(/^ASIA/);
    expect(await failure(assume(em, { RoleArn: CONTROL_ROLE, RoleSessionName: 's2' }, narrow))).toMatchObject({ name: 'AccessDenied' });
    // Tags need sts:TagSession in the caller's policies too.
    expect(await failure(assume(em, { RoleArn: ROLE, RoleSessionName: 's3', Tags: [{ Key: 'k', Value: 'v' }] }, narrow))).toMatchObject({
      name: 'AccessDenied',
    });
    expect(await failure(listBuckets(em, narrow))).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('trust policy conditions on AssumeRole', () => {
  it('honours sts:SetSourceIdentity being absent from the trust policy', async () => {
    const { em } = await setup();
    em.addRole({
      arn: `arn:aws:iam::${ACCOUNT}:role/NoSourceIdentity`,
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: BROKER.arn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] },
    });
    const err = await failure(assume(em, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/NoSourceIdentity`, RoleSessionName: 'alice', SourceIdentity: 'alice' }));
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe(
      `User: ${BROKER.arn} is not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::${ACCOUNT}:role/NoSourceIdentity`,
    );
    expect(em.requests.at(-1)).toMatchObject({ action: 'AssumeRole', status: 403, errorCode: 'AccessDenied' });
    const ok = await assume(em, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/NoSourceIdentity`, RoleSessionName: 'alice', Tags: [{ Key: 'k', Value: 'v' }] });
    expect(ok.accessKeyId).toMatch(/^ASIA/);
  });

  it('evaluates trust conditions on the requested tags and source identity', async () => {
    const { em } = await setup();
    em.addRole({
      arn: `arn:aws:iam::${ACCOUNT}:role/Tagged`,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole' },
          {
            Effect: 'Allow',
            Principal: { AWS: '111111111111' },
            Action: 'sts:TagSession',
            Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['rolegate:*'] } },
          },
          {
            Effect: 'Allow',
            Principal: { AWS: '111111111111' },
            Action: 'sts:SetSourceIdentity',
            Condition: { StringLike: { 'sts:SourceIdentity': '*@example.com' } },
          },
        ],
      },
    });
    const arn = `arn:aws:iam::${ACCOUNT}:role/Tagged`;
    await assume(em, { RoleArn: arn, RoleSessionName: 's1', SourceIdentity: 'alice@example.com', Tags: [{ Key: 'rolegate:grant-id', Value: 'g' }] });
    expect(await failure(assume(em, { RoleArn: arn, RoleSessionName: 's2', Tags: [{ Key: 'team', Value: 'x' }] }))).toMatchObject({ name: 'AccessDenied' });
    expect(await failure(assume(em, { RoleArn: arn, RoleSessionName: 's3', SourceIdentity: 'mallory' }))).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('the real AWS CLI', () => {
  it('`aws s3 ls --endpoint-url` lists buckets with session credentials, and fails with AccessDenied once the grant is revoked', async () => {
    const { em } = await setup();
    const alice = await grantSession(em, 'alice', 'g-alice');
    const home = await mkdtemp(path.join(tmpdir(), 'emu-cli-'));
    onTestFinished(() => rm(home, { recursive: true, force: true }));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
      AWS_ACCESS_KEY_ID: alice.accessKeyId,
      AWS_SECRET_ACCESS_KEY: alice.secretAccessKey,
      AWS_SESSION_TOKEN: alice.sessionToken!,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
    };
    const cli = process.env.AWS_CLI_PATH ?? '/usr/bin/aws';
    const ok = await run(cli, ['s3', 'ls', '--endpoint-url', em.s3Url], { env });
    expect(ok.stdout).toMatch(/^2026-01-01 \d\d:\d\d:\d\d team-data\n$/);
    expect(em.requests.at(-1)).toMatchObject({
      service: 's3',
      action: 'ListBuckets',
      status: 200,
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/alice`,
    });

    await (await control(em)).send(new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: revokeGrants(['g-alice']), SetAsDefault: true }));
    const denied = await failure(run(cli, ['s3', 'ls', '--endpoint-url', em.s3Url], { env }));
    const e = denied as unknown as { code: number; stderr: string };
    expect(e.code).not.toBe(0);
    expect(e.stderr).toContain('AccessDenied');
    expect(em.requests.at(-1)).toMatchObject({ service: 's3', action: 'ListBuckets', status: 403, errorCode: 'AccessDenied' });
  });
});
