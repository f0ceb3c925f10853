import type { Principal } from './auth.js';
import { requireAllowed } from './authz.js';
import type { EmulatorContext } from './context.js';
import { AwsError, validationError } from './errors.js';
import type { ManagedPolicy, RoleState } from './iam-state.js';
import {
  MANAGED_POLICY_MAX_CHARS,
  parsePolicyDocument,
  PolicySyntaxError,
  policySize,
  TRUST_POLICY_MAX_CHARS,
  type PolicyDocument,
  type PolicyKind,
} from './policy/document.js';
import type { IamAction } from './types.js';
import { iamSuccessXml, type XmlTree } from './xml.js';

/** The IAM actions served, in the order the docs list them. */
export const IAM_ACTIONS: readonly IamAction[] = [
  'CreatePolicy',
  'GetPolicy',
  'GetPolicyVersion',
  'ListPolicyVersions',
  'CreatePolicyVersion',
  'DeletePolicyVersion',
  'SetDefaultPolicyVersion',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'ListAttachedRolePolicies',
  'GetRole',
  'UpdateAssumeRolePolicy',
];

/** A managed policy keeps at most this many versions. */
export const MAX_POLICY_VERSIONS = 5;
/** Managed policies attached to one role (the default quota). */
export const MAX_ATTACHED_PER_ROLE = 10;

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const NAME_RE = /^[\w+=,.@-]+$/;
const VERSION_RE = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;
const POLICY_ARN_RE = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}|aws):policy\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,128}$/;

const noSuchEntity = (message: string): AwsError => new AwsError(404, 'NoSuchEntity', message);
const limitExceeded = (message: string): AwsError => new AwsError(409, 'LimitExceeded', message);

/** What one IAM call works with: the caller, its account and partition, the parameters. */
interface Call {
  ctx: EmulatorContext;
  caller: Principal;
  account: string;
  partition: string;
  params: Record<string, string>;
}

/** A required parameter, checked as IAM does (ValidationError naming the member in camelCase). */
function required(call: Call, name: string, pattern?: [RegExp, string], max?: number): string {
  const member = name[0]!.toLowerCase() + name.slice(1);
  const v = call.params[name];
  if (v === undefined) throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (max !== undefined && v.length > max) {
    throw validationError(
      `1 validation error detected: Value '${v}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  if (pattern && !pattern[0].test(v)) {
    throw validationError(
      `1 validation error detected: Value '${v}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern[1]}`,
    );
  }
  return v;
}

/** Checks size first (LimitExceeded, as IAM answers an oversized document), then grammar (MalformedPolicyDocument). */
function checkedDocument(text: string, kind: PolicyKind): PolicyDocument {
  const max = kind === 'identity' ? MANAGED_POLICY_MAX_CHARS : TRUST_POLICY_MAX_CHARS;
  if (policySize(text) > max) throw limitExceeded(`Cannot exceed quota for ${kind === 'identity' ? 'PolicySize' : 'ACLSizePerRole'}: ${max}`);
  try {
    return parsePolicyDocument(text, kind);
  } catch (e) {
    if (e instanceof PolicySyntaxError) throw new AwsError(400, 'MalformedPolicyDocument', e.message);
    throw e;
  }
}

/** The caller's identity policies must allow `iam:ACTION` on the resource (unrestricted callers always may). */
const authorize = (call: Call, action: IamAction, resource: string, extra: Record<string, string> = {}): void =>
  requireAllowed(call.ctx, call.caller, `iam:${action}`, resource, 'us-east-1', extra);

/** A policy ARN parameter: syntax (InvalidInput), permission, then existence in the caller's account (or AWS-managed). */
function policyParam(call: Call, action: IamAction): ManagedPolicy {
  const arn = required(call, 'PolicyArn', undefined, 2048);
  if (!POLICY_ARN_RE.test(arn)) throw new AwsError(400, 'InvalidInput', `ARN ${arn} is not valid.`);
  authorize(call, action, arn);
  const p = call.ctx.iam.policies.get(arn);
  if (!p || (p.account !== call.account && p.account !== 'aws')) throw noSuchEntity(`Policy ${arn} was not found.`);
  return p;
}

/** A customer-managed policy the caller may change (AWS-managed ones are read-only to everyone). */
function ownPolicyParam(call: Call, action: IamAction): ManagedPolicy {
  const p = policyParam(call, action);
  if (p.account === 'aws') {
    throw new AwsError(403, 'AccessDenied', `User: ${call.caller.arn} is not authorized to perform: iam:${action} on resource: policy ${p.arn}`);
  }
  return p;
}

/** A RoleName parameter: permission on the role's ARN, then existence in the caller's account. */
function roleParam(call: Call, action: IamAction, extra: Record<string, string> = {}): RoleState {
  const name = required(call, 'RoleName', [NAME_RE, '[\\w+=,.@-]+'], 64);
  const role = call.ctx.iam.findRole(call.account, name);
  authorize(call, action, role?.arn ?? `arn:${call.partition}:iam::${call.account}:role/${name}`, extra);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

function versionParam(call: Call, p: ManagedPolicy) {
  const id = required(call, 'VersionId', [VERSION_RE, 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?']);
  const v = p.versions.find((x) => x.versionId === id);
  if (!v) throw noSuchEntity(`Policy ${p.arn} version ${id} does not exist or is not attachable.`);
  return v;
}

const policyTree = (ctx: EmulatorContext, p: ManagedPolicy, withDescription: boolean): XmlTree => ({
  PolicyName: p.name,
  PolicyId: p.policyId,
  Arn: p.arn,
  Path: p.path,
  DefaultVersionId: p.defaultVersionId,
  AttachmentCount: String(ctx.iam.attachedTo(p.arn).length),
  PermissionsBoundaryUsageCount: '0',
  IsAttachable: 'true',
  Description: withDescription ? p.description : undefined,
  CreateDate: isoSeconds(p.createDate),
  UpdateDate: isoSeconds(p.updateDate),
});

type Result = XmlTree | undefined;

const ACTIONS: Record<IamAction, (call: Call) => Result> = {
  CreatePolicy(call) {
    const name = required(call, 'PolicyName', [NAME_RE, '[\\w+=,.@-]+'], 128);
    const path = call.params.Path ?? '/';
    if (!/^(\/|\/[\x21-\x7e]+\/)$/.test(path) || path.length > 512) {
      throw validationError(
        `1 validation error detected: Value '${path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/`,
      );
    }
    const text = required(call, 'PolicyDocument');
    const arn = `arn:${call.partition}:iam::${call.account}:policy${path}${name}`;
    authorize(call, 'CreatePolicy', arn);
    // Policy names are unique per account whatever the path, and compared case-insensitively.
    const clash = [...call.ctx.iam.policies.values()].find((p) => p.account === call.account && p.name.toLowerCase() === name.toLowerCase());
    if (clash) throw new AwsError(409, 'EntityAlreadyExists', `A policy called ${name} already exists. Duplicate names are not allowed.`);
    checkedDocument(text, 'identity');
    const p = call.ctx.iam.putPolicy({ arn, document: text, ...(call.params.Description !== undefined ? { description: call.params.Description } : {}) });
    return { Policy: policyTree(call.ctx, p, false) };
  },

  GetPolicy: (call) => ({ Policy: policyTree(call.ctx, policyParam(call, 'GetPolicy'), true) }),

  GetPolicyVersion(call) {
    const p = policyParam(call, 'GetPolicyVersion');
    const v = versionParam(call, p);
    // IAM returns documents URL-encoded (RFC 3986); clients decode them.
    return {
      PolicyVersion: {
        Document: encodeURIComponent(v.text),
        VersionId: v.versionId,
        IsDefaultVersion: String(v.versionId === p.defaultVersionId),
        CreateDate: isoSeconds(v.createDate),
      },
    };
  },

  ListPolicyVersions(call) {
    const p = policyParam(call, 'ListPolicyVersions');
    return {
      Versions: [...p.versions].reverse().map((v) => ({
        VersionId: v.versionId,
        IsDefaultVersion: String(v.versionId === p.defaultVersionId),
        CreateDate: isoSeconds(v.createDate),
      })),
      IsTruncated: 'false',
    };
  },

  CreatePolicyVersion(call) {
    const p = ownPolicyParam(call, 'CreatePolicyVersion');
    const text = required(call, 'PolicyDocument');
    if (p.versions.length >= MAX_POLICY_VERSIONS) {
      throw limitExceeded(
        `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      );
    }
    const document = checkedDocument(text, 'identity');
    const now = call.ctx.now();
    const v = { versionId: `v${p.nextVersion}`, text, document, createDate: now };
    p.nextVersion += 1;
    p.versions.push(v);
    const setAsDefault = call.params.SetAsDefault === 'true';
    if (setAsDefault) p.defaultVersionId = v.versionId;
    p.updateDate = now;
    return { PolicyVersion: { VersionId: v.versionId, IsDefaultVersion: String(setAsDefault), CreateDate: isoSeconds(now) } };
  },

  DeletePolicyVersion(call) {
    const p = ownPolicyParam(call, 'DeletePolicyVersion');
    const v = versionParam(call, p);
    if (v.versionId === p.defaultVersionId) throw new AwsError(409, 'DeleteConflict', 'Cannot delete the default version of the policy.');
    p.versions = p.versions.filter((x) => x !== v);
    return undefined;
  },

  SetDefaultPolicyVersion(call) {
    const p = ownPolicyParam(call, 'SetDefaultPolicyVersion');
    const v = versionParam(call, p);
    p.defaultVersionId = v.versionId;
    p.updateDate = call.ctx.now();
    return undefined;
  },

  AttachRolePolicy(call) {
    const arn = required(call, 'PolicyArn', undefined, 2048);
    if (!POLICY_ARN_RE.test(arn)) throw new AwsError(400, 'InvalidInput', `ARN ${arn} is not valid.`);
    const role = roleParam(call, 'AttachRolePolicy', { 'iam:PolicyARN': arn });
    const p = call.ctx.iam.policies.get(arn);
    if (!p || (p.account !== call.account && p.account !== 'aws')) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    if (role.attached.includes(arn)) return undefined;
    if (role.attached.length >= MAX_ATTACHED_PER_ROLE) throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED_PER_ROLE}`);
    role.attached.push(arn);
    return undefined;
  },

  DetachRolePolicy(call) {
    const arn = required(call, 'PolicyArn', undefined, 2048);
    if (!POLICY_ARN_RE.test(arn)) throw new AwsError(400, 'InvalidInput', `ARN ${arn} is not valid.`);
    const role = roleParam(call, 'DetachRolePolicy', { 'iam:PolicyARN': arn });
    if (!role.attached.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
    role.attached = role.attached.filter((a) => a !== arn);
    return undefined;
  },

  ListAttachedRolePolicies(call) {
    const role = roleParam(call, 'ListAttachedRolePolicies');
    const prefix = call.params.PathPrefix ?? '/';
    const all = role.attached.map((arn) => call.ctx.iam.policies.get(arn)).filter((p): p is ManagedPolicy => p !== undefined && p.path.startsWith(prefix));
    const start = call.params.Marker !== undefined ? Number(call.params.Marker) : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw new AwsError(400, 'InvalidInput', 'Invalid Marker.');
    const maxItems = call.params.MaxItems !== undefined ? Number(call.params.MaxItems) : 100;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
      throw validationError(
        `1 validation error detected: Value '${call.params.MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
      );
    }
    const page = all.slice(start, start + maxItems);
    const truncated = start + maxItems < all.length;
    return {
      AttachedPolicies: page.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
      IsTruncated: String(truncated),
      Marker: truncated ? String(start + maxItems) : undefined,
    };
  },

  GetRole(call) {
    const role = roleParam(call, 'GetRole');
    return {
      Role: {
        Path: role.parts.path,
        RoleName: role.parts.name,
        RoleId: role.roleId,
        Arn: role.arn,
        CreateDate: isoSeconds(role.createDate),
        AssumeRolePolicyDocument: encodeURIComponent(role.trustText),
        MaxSessionDuration: String(role.maxSessionDuration),
        RoleLastUsed: {},
      },
    };
  },

  UpdateAssumeRolePolicy(call) {
    const role = roleParam(call, 'UpdateAssumeRolePolicy');
    const text = required(call, 'PolicyDocument');
    role.trust = checkedDocument(text, 'trust');
    role.trustText = text;
    return undefined;
  },
};

/** Runs one authenticated IAM action and returns the success XML; throws AwsError (400 InvalidAction for unknown actions). */
export function handleIamAction(ctx: EmulatorContext, action: string, caller: Principal, params: Record<string, string>, requestId: string): string {
  const run = (ACTIONS as Record<string, ((call: Call) => Result) | undefined>)[action];
  if (!Object.hasOwn(ACTIONS, action) || !run)
    throw new AwsError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version ?? '2010-05-08'}`);
  const call: Call = { ctx, caller, account: caller.account, partition: caller.arn.split(':')[1] ?? 'aws', params };
  return iamSuccessXml(action, run(call), requestId);
}
