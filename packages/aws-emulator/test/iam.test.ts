import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { BROKER, DEV_ROLE, failure, iamClient, startTestEmulator, stsClient } from './helpers.js';

const denyDoc = (ids: string[]) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RevokeGrants', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': ids } } },
    ],
  });
// The broker's account is 111111111111; DEV_ROLE lives in 222222222222, so its IAM calls go through a caller of that account.
const ACCOUNT_ADMIN = {
  accessKeyId: 'AKIAACCOUNTADMIN0001',
  secretAccessKey: 'admin-secret-value-0123456789abcdefghijk',
  arn: 'arn:aws:iam::222222222222:user/admin',
};
const POLICY_ARN = 'arn:aws:iam::222222222222:policy/RolegateRevocations';

async function emulator() {
  const em = await startTestEmulator({
    callers: [BROKER, ACCOUNT_ADMIN],
  });
  return { em, iam: iamClient(em, ACCOUNT_ADMIN) };
}

describe('IAM managed policies through @aws-sdk/client-iam', () => {
  it('creates a policy in the caller’s account and reads it back URL-decoded', async () => {
    const { em, iam } = await emulator();
    const created = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'RolegateRevocations', PolicyDocument: denyDoc(['g-1']), Description: 'Rolegate revocations' }),
    );
    expect(created.Policy).toMatchObject({
      PolicyName: 'RolegateRevocations',
      Arn: POLICY_ARN,
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
      Path: '/',
    });
    expect(created.Policy?.PolicyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
    expect(created.$metadata.requestId).toBe(em.requests.at(-1)?.requestId);
    expect(em.requests.at(-1)).toMatchObject({ service: 'iam', action: 'CreatePolicy', status: 200, callerArn: ACCOUNT_ADMIN.arn });

    const got = await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }));
    expect(got.Policy?.Description).toBe('Rolegate revocations');
    const v1 = await iam.send(new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v1' }));
    expect(v1.PolicyVersion?.IsDefaultVersion).toBe(true);
    // IAM sends the document URL-encoded, as AWS does; clients decode it.
    expect(v1.PolicyVersion?.Document).toBe(encodeURIComponent(denyDoc(['g-1'])));
    expect(JSON.parse(decodeURIComponent(v1.PolicyVersion!.Document!))).toEqual(JSON.parse(denyDoc(['g-1'])));
    expect(em.managedPolicy(POLICY_ARN)?.versions).toHaveLength(1);
  });

  it('refuses a duplicate name with EntityAlreadyExists and an unknown policy with NoSuchEntity', async () => {
    const { em, iam } = await emulator();
    await iam.send(new CreatePolicyCommand({ PolicyName: 'RolegateRevocations', PolicyDocument: denyDoc(['g-1']) }));
    const dup = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'rolegaterevocations', PolicyDocument: denyDoc(['g-2']) })));
    expect(dup.name).toBe('EntityAlreadyExistsException');
    expect(dup.$metadata.httpStatusCode).toBe(409);
    expect(em.managedPolicy(POLICY_ARN)?.versions[0]?.document).toBe(denyDoc(['g-1']));
    const missing = await failure(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::222222222222:policy/Nope' })));
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.message).toBe('Policy arn:aws:iam::222222222222:policy/Nope was not found.');
    // Another account's policy is not visible either.
    const foreign = await failure(iamClient(em, BROKER).send(new GetPolicyCommand({ PolicyArn: POLICY_ARN })));
    expect(foreign.name).toBe('NoSuchEntityException');
  });

  it('keeps at most 5 versions: the 6th is LimitExceeded until one is deleted; the default cannot be deleted', async () => {
    const { em, iam } = await emulator();
    await iam.send(new CreatePolicyCommand({ PolicyName: 'RolegateRevocations', PolicyDocument: denyDoc(['g-1']) }));
    for (let i = 2; i <= 5; i++) {
      const out = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: denyDoc([`g-${i}`]), SetAsDefault: true }));
      expect(out.PolicyVersion).toMatchObject({ VersionId: `v${i}`, IsDefaultVersion: true });
    }
    const sixth = await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: denyDoc(['g-6']), SetAsDefault: true })));
    expect(sixth.name).toBe('LimitExceededException');
    expect(sixth.$metadata.httpStatusCode).toBe(409);
    expect(sixth.message).toMatch(/up to 5 versions/);
    expect(em.managedPolicy(POLICY_ARN)).toMatchObject({ defaultVersionId: 'v5' });
    expect(em.managedPolicy(POLICY_ARN)?.versions).toHaveLength(5);

    const conflict = await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v5' })));
    expect(conflict.name).toBe('DeleteConflictException');
    expect(conflict.$metadata.httpStatusCode).toBe(409);
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v1' }));
    const again = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: denyDoc(['g-6']) }));
    // Version ids are never reused, and without SetAsDefault the default stays.
    expect(again.PolicyVersion).toMatchObject({ VersionId: 'v6', IsDefaultVersion: false });
    const list = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY_ARN }));
    expect(list.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v6', false],
      ['v5', true],
      ['v4', false],
      ['v3', false],
      ['v2', false],
    ]);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v6' }));
    expect(em.managedPolicy(POLICY_ARN)?.defaultVersionId).toBe('v6');
    const gone = await failure(iam.send(new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: 'v1' })));
    expect(gone.name).toBe('NoSuchEntityException');
  });

  it('refuses a document over 6,144 characters (whitespace not counted) with LimitExceeded, and accepts one at the limit', async () => {
    const { em, iam } = await emulator();
    const withIds = (n: number, pad: number) => denyDoc(Array.from({ length: n }, (_, i) => `g-${String(i).padStart(pad, '0')}`));
    // Find a document of exactly 6,144 non-whitespace characters, then one more.
    const base = denyDoc([]).length; // '[]' holds no ids
    const idLen = (pad: number) => pad + 2 + 2 + 1; // "g-" + digits, quotes, comma
    const n = Math.floor((6144 - base + 1) / idLen(8));
    let doc = withIds(n, 8);
    doc = doc.replace('"RevokeGrants"', `"${'R'.repeat(6144 - doc.length + 'RevokeGrants'.length)}"`);
    expect(doc.replace(/\s/g, '')).toHaveLength(6144);
    // Whitespace does not count: pretty-printed, the same document is still accepted.
    const pretty = JSON.stringify(JSON.parse(doc), null, 4);
    expect(pretty.length).toBeGreaterThan(6144);
    await iam.send(new CreatePolicyCommand({ PolicyName: 'AtTheLimit', PolicyDocument: pretty }));
    const over = doc.replace('"R', '"RR');
    const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'OverTheLimit', PolicyDocument: over })));
    expect(err.name).toBe('LimitExceededException');
    expect(err.message).toBe('Cannot exceed quota for PolicySize: 6144');
    expect(em.managedPolicy('arn:aws:iam::222222222222:policy/OverTheLimit')).toBeUndefined();
    await iam.send(new CreatePolicyCommand({ PolicyName: 'Grows', PolicyDocument: denyDoc(['g-1']) }));
    const grow = await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: 'arn:aws:iam::222222222222:policy/Grows', PolicyDocument: over })));
    expect(grow.name).toBe('LimitExceededException');
    expect(em.managedPolicy('arn:aws:iam::222222222222:policy/Grows')?.versions).toHaveLength(1);
  });

  it('refuses malformed documents with MalformedPolicyDocument', async () => {
    const { em, iam } = await emulator();
    for (const bad of [
      '{not json',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }),
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Principal: '*' }] }),
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEqualz: { a: 'b' } } }] }),
    ]) {
      const err = await failure(iam.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: bad })));
      expect(err.name).toBe('MalformedPolicyDocumentException');
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
    expect(em.managedPolicy('arn:aws:iam::222222222222:policy/Bad')).toBeUndefined();
  });
});

describe('IAM roles through @aws-sdk/client-iam', () => {
  it('GetRole returns the trust policy URL-encoded and MaxSessionDuration; UpdateAssumeRolePolicy changes what AssumeRole honours', async () => {
    const { em, iam } = await emulator();
    const out = await iam.send(new GetRoleCommand({ RoleName: 'Developer' }));
    expect(out.Role).toMatchObject({ RoleName: 'Developer', Path: '/teams/', Arn: DEV_ROLE, MaxSessionDuration: 43200 });
    const trust = JSON.parse(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!));
    expect(trust.Statement[0]).toMatchObject({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] });
    expect(trust.Statement[0].Principal.AWS).toContain(BROKER.arn);

    // Drop sts:TagSession: AssumeRole with tags is now refused for that action, without tags it still works.
    const noTags = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: BROKER.arn }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }],
    };
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Developer', PolicyDocument: JSON.stringify(noTags) }));
    expect(JSON.parse(em.role(DEV_ROLE)!.trustPolicy)).toEqual(noTags);
    const sts = stsClient(em);
    const refused = await failure(
      sts.send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice', Tags: [{ Key: 'rolegate:grant-id', Value: 'g-1' }] })),
    );
    expect(refused.name).toBe('AccessDenied');
    expect(refused.message).toBe(`User: ${BROKER.arn} is not authorized to perform: sts:TagSession on resource: ${DEV_ROLE}`);
    const withSource = await sts.send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'alice', SourceIdentity: 'alice' }));
    expect(withSource.SourceIdentity).toBe('alice');

    const missing = await failure(iam.send(new GetRoleCommand({ RoleName: 'Nobody' })));
    expect(missing.name).toBe('NoSuchEntityException');
    expect(missing.message).toBe('The role with name Nobody cannot be found.');
    const malformed = await failure(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Developer', PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}' })),
    );
    expect(malformed.name).toBe('MalformedPolicyDocumentException');
    expect(JSON.parse(em.role(DEV_ROLE)!.trustPolicy)).toEqual(noTags);
  });

  it('attaches, lists and detaches managed policies on a role', async () => {
    const { em, iam } = await emulator();
    await iam.send(new CreatePolicyCommand({ PolicyName: 'RolegateRevocations', PolicyDocument: denyDoc(['g-1']) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: POLICY_ARN }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: POLICY_ARN })); // idempotent
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'Developer' }));
    expect(listed.AttachedPolicies).toEqual([{ PolicyName: 'RolegateRevocations', PolicyArn: POLICY_ARN }]);
    expect(listed.IsTruncated).toBe(false);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).Policy?.AttachmentCount).toBe(1);
    expect(em.managedPolicy(POLICY_ARN)?.attachedTo).toEqual([DEV_ROLE]);

    const unknown = await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: 'arn:aws:iam::222222222222:policy/Nope' })));
    expect(unknown.name).toBe('NoSuchEntityException');
    const badArn = await failure(iam.send(new AttachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: 'not-an-arn' })));
    expect(badArn.name).toBe('InvalidInputException');

    await iam.send(new DetachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: POLICY_ARN }));
    expect(em.role(DEV_ROLE)?.attachedPolicyArns).toEqual([]);
    const notAttached = await failure(iam.send(new DetachRolePolicyCommand({ RoleName: 'Developer', PolicyArn: POLICY_ARN })));
    expect(notAttached.name).toBe('NoSuchEntityException');
  });

  it('answers IAM errors as IAM XML with its namespace, Code, Message and RequestId', async () => {
    const { em, iam } = await emulator();
    // The SDK maps the wire code NoSuchEntity to its modelled NoSuchEntityException.
    const err = await failure(iam.send(new GetRoleCommand({ RoleName: 'Nobody' })));
    expect(err.name).toBe('NoSuchEntityException');
    const entry = em.requests.at(-1)!;
    expect(entry).toMatchObject({ service: 'iam', action: 'GetRole', status: 404, errorCode: 'NoSuchEntity' });
    expect(err.$metadata.requestId).toBe(entry.requestId);
  });
});

describe('IAM fault injection', () => {
  it('throttle answers 400 Throttling and http5xx 500 ServiceFailure, without changing state; clearing the fault restores service', async () => {
    const { em, iam } = await emulator();
    await iam.send(new CreatePolicyCommand({ PolicyName: 'RolegateRevocations', PolicyDocument: denyDoc(['g-1']) }));
    em.setFault('CreatePolicyVersion', { kind: 'throttle' });
    const throttled = await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: denyDoc(['g-2']), SetAsDefault: true })));
    expect(throttled.name).toBe('Throttling');
    expect(throttled.$metadata.httpStatusCode).toBe(400);
    em.setFault('CreatePolicyVersion', { kind: 'http5xx' });
    const failed = await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: denyDoc(['g-2']), SetAsDefault: true })));
    expect(failed.name).toBe('ServiceFailureException');
    expect(failed.$metadata.httpStatusCode).toBe(500);
    expect(em.managedPolicy(POLICY_ARN)?.versions).toHaveLength(1);
    expect(em.requests.filter((r) => r.action === 'CreatePolicyVersion').map((r) => [r.service, r.status, r.errorCode])).toEqual([
      ['iam', 400, 'Throttling'],
      ['iam', 500, 'ServiceFailure'],
    ]);
    em.setFault('CreatePolicyVersion', null);
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: POLICY_ARN, PolicyDocument: denyDoc(['g-2']), SetAsDefault: true }));
    expect(em.managedPolicy(POLICY_ARN)?.defaultVersionId).toBe('v2');
  });
});
