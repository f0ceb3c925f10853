import { parseRoleArn, type RoleArnParts } from './arn.js';
import { stableId } from './ids.js';
import { parsePolicyDocument, PolicySyntaxError, type PolicyDocument } from './policy/document.js';
import type { NamedPolicy } from './policy/evaluate.js';
import type { EmulatorCaller, EmulatorManagedPolicy, EmulatorRole, PolicyDocumentInput } from './types.js';

/** One stored version of a managed policy. */
export interface PolicyVersion {
  versionId: string;
  text: string;
  document: PolicyDocument;
  createDate: Date;
}

/** A customer-managed (or AWS-managed) policy. */
export interface ManagedPolicy {
  arn: string;
  name: string;
  path: string;
  account: string;
  policyId: string;
  description?: string;
  createDate: Date;
  updateDate: Date;
  /** Oldest first. */
  versions: PolicyVersion[];
  defaultVersionId: string;
  /** Version ids are never reused: v1, v2, … even after deletions. */
  nextVersion: number;
}

/** A role as IAM holds it: trust policy, identity policies, limits. */
export interface RoleState {
  arn: string;
  parts: RoleArnParts;
  roleId: string;
  createDate: Date;
  maxSessionDuration: number;
  externalId?: string;
  trustText: string;
  trust: PolicyDocument;
  /** Inline identity policies by name. */
  inline: Map<string, { text: string; document: PolicyDocument }>;
  /** Attached managed policy ARNs, in attachment order. */
  attached: string[];
}

/** The identity policy a role gets when its definition names none: allow everything (earlier seeds relied on it). */
export const DEFAULT_ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
export const DEFAULT_ALLOW_ALL_NAME = 'EmulatorDefaultAllowAll';

/** AWS-managed policies the emulator knows (attachable in every account). */
const AWS_MANAGED: Record<string, Record<string, unknown>> = {
  AdministratorAccess: DEFAULT_ALLOW_ALL,
};

const text = (doc: PolicyDocumentInput): string => (typeof doc === 'string' ? doc : JSON.stringify(doc));

/** Parses a seeded document; throws Error naming the owner when it is malformed. */
function seeded(doc: PolicyDocumentInput, kind: 'identity' | 'trust', owner: string): { text: string; document: PolicyDocument } {
  const t = text(doc);
  try {
    return { text: t, document: parsePolicyDocument(t, kind) };
  } catch (e) {
    if (e instanceof PolicySyntaxError) throw new Error(`aws-emulator: ${kind} policy of ${owner} is malformed: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * The trust policy equivalent to a `trustedPrincipals` list: those principals may assume the role,
 * set a source identity and pass session tags. "*" stands for every configured caller.
 */
export function trustPolicyFromPrincipals(trusted: readonly string[], callers: readonly EmulatorCaller[], externalId?: string): Record<string, unknown> {
  const principals = [...new Set(trusted.flatMap((p) => (p === '*' ? callers.map((c) => c.arn) : [p])))];
  if (principals.length === 0) {
    return { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }] };
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
        ...(externalId !== undefined ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  };
}

/** Roles and managed policies of every emulated account. */
export class IamState {
  readonly roles = new Map<string, RoleState>();
  readonly policies = new Map<string, ManagedPolicy>();

  constructor(
    private readonly callers: () => EmulatorCaller[],
    private readonly now: () => Date,
  ) {
    for (const [name, doc] of Object.entries(AWS_MANAGED)) {
      this.putPolicy({ arn: `arn:aws:iam::aws:policy/${name}`, document: doc });
    }
  }

  /** Adds or replaces a role; throws Error on a malformed ARN, MaxSessionDuration, policy, or an unknown attached policy. */
  putRole(role: EmulatorRole): RoleState {
    const parts = parseRoleArn(role.arn);
    if (!parts) throw new Error(`aws-emulator: not a role ARN: ${role.arn}`);
    const max = role.maxSessionDuration ?? 3600;
    if (!Number.isInteger(max) || max < 3600 || max > 43200) {
      throw new Error(`aws-emulator: maxSessionDuration of ${role.arn} must be an integer in 3600..43200`);
    }
    if (role.trustPolicy === undefined && role.trustedPrincipals === undefined) {
      throw new Error(`aws-emulator: role ${role.arn} needs trustPolicy or trustedPrincipals`);
    }
    const trust = seeded(role.trustPolicy ?? trustPolicyFromPrincipals(role.trustedPrincipals ?? [], this.callers(), role.externalId), 'trust', role.arn);
    const inline = new Map<string, { text: string; document: PolicyDocument }>();
    const inlineDefs = role.inlinePolicies ?? (role.attachedPolicyArns === undefined ? { [DEFAULT_ALLOW_ALL_NAME]: DEFAULT_ALLOW_ALL } : {});
    for (const [name, doc] of Object.entries(inlineDefs)) inline.set(name, seeded(doc, 'identity', `${role.arn} (${name})`));
    for (const arn of role.attachedPolicyArns ?? []) {
      if (!this.policies.has(arn)) throw new Error(`aws-emulator: role ${role.arn} attaches unknown managed policy ${arn}`);
    }
    const state: RoleState = {
      arn: role.arn,
      parts,
      roleId: stableId('AROA', `arn:${parts.partition}:iam::${parts.account}:role/${parts.name}`),
      createDate: this.now(),
      maxSessionDuration: max,
      ...(role.externalId !== undefined ? { externalId: role.externalId } : {}),
      trustText: trust.text,
      trust: trust.document,
      inline,
      attached: [...new Set(role.attachedPolicyArns ?? [])],
    };
    this.roles.set(role.arn, state);
    return state;
  }

  /** A role by account and name (IAM's own lookup: names are unique per account, case-insensitively). */
  findRole(account: string, name: string): RoleState | undefined {
    const lower = name.toLowerCase();
    for (const r of this.roles.values()) if (r.parts.account === account && r.parts.name.toLowerCase() === lower) return r;
    return undefined;
  }

  /** Seeds a managed policy with one version (v1, default); throws Error when its document is malformed. */
  putPolicy(p: EmulatorManagedPolicy): ManagedPolicy {
    const m = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,128})$/.exec(p.arn);
    if (!m) throw new Error(`aws-emulator: not a policy ARN: ${p.arn}`);
    const { text: t, document } = seeded(p.document, 'identity', p.arn);
    const now = this.now();
    const policy: ManagedPolicy = {
      arn: p.arn,
      name: m[4]!,
      path: m[3]!,
      account: m[2]!,
      policyId: stableId('ANPA', p.arn),
      ...(p.description !== undefined ? { description: p.description } : {}),
      createDate: now,
      updateDate: now,
      versions: [{ versionId: 'v1', text: t, document, createDate: now }],
      defaultVersionId: 'v1',
      nextVersion: 2,
    };
    this.policies.set(p.arn, policy);
    return policy;
  }

  /** Roles a managed policy is attached to. */
  attachedTo(policyArn: string): RoleState[] {
    return [...this.roles.values()].filter((r) => r.attached.includes(policyArn));
  }

  /** The identity policies IAM evaluates for a role: its inline policies, then each attached policy's DEFAULT version. */
  identityPolicies(role: RoleState): NamedPolicy[] {
    const out: NamedPolicy[] = [...role.inline.entries()].map(([name, p]) => ({ name: `${role.arn} inline policy ${name}`, document: p.document }));
    for (const arn of role.attached) {
      const p = this.policies.get(arn);
      const v = p?.versions.find((x) => x.versionId === p.defaultVersionId);
      if (v) out.push({ name: arn, document: v.document });
    }
    return out;
  }
}
