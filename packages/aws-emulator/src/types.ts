/** A policy document: JSON text, or an object that is serialised as JSON. */
export type PolicyDocumentInput = string | Record<string, unknown>;

/** A role the emulator lets callers assume. */
export interface EmulatorRole {
  arn: string;
  /** Seconds, default 3600, allowed 3600..43200. */
  maxSessionDuration?: number;
  /**
   * The role's trust policy (what GetRole returns and AssumeRole evaluates): Principal, Action
   * (sts:AssumeRole, and sts:SetSourceIdentity / sts:TagSession when a call passes SourceIdentity / Tags),
   * Condition. Takes precedence over trustedPrincipals.
   */
  trustPolicy?: PolicyDocumentInput;
  /**
   * Shorthand for a trust policy: these principals may sts:AssumeRole, sts:SetSourceIdentity and
   * sts:TagSession. "*" = every configured caller. A listed role ARN admits that role's sessions.
   */
  trustedPrincipals?: string[];
  /** When set, AssumeRole must pass exactly this ExternalId. */
  externalId?: string;
  /**
   * Inline identity policies by name, evaluated for the role's sessions (S3 ListBuckets, the console page,
   * IAM calls, role chaining). When neither this nor attachedPolicyArns is given, the role gets one
   * inline allow-all policy ("EmulatorDefaultAllowAll").
   */
  inlinePolicies?: Record<string, PolicyDocumentInput>;
  /** Managed policies attached from the start (seeded through EmulatorOptions.managedPolicies, or AWS-managed AdministratorAccess). */
  attachedPolicyArns?: string[];
}

/** A managed policy present from the start (version v1, default). */
export interface EmulatorManagedPolicy {
  /** arn:aws:iam::ACCOUNT:policy[/path/]NAME */
  arn: string;
  document: PolicyDocumentInput;
  description?: string;
}

/** An S3 bucket that ListBuckets shows to principals of its account. */
export interface EmulatorBucket {
  account: string;
  name: string;
}

/** Long-lived credentials the emulator accepts (an IAM user, or a role session for a role-chained broker). */
export interface EmulatorCaller {
  accessKeyId: string;
  secretAccessKey: string;
  /** e.g. arn:aws:iam::111111111111:user/rolegate-broker or arn:aws:sts::111111111111:assumed-role/BrokerRole/x */
  arn: string;
  /** Session token the caller must send (only for configured temporary credentials). */
  sessionToken?: string;
  /** Identity policies by name; when unset the caller is unrestricted (IAM, S3 and AssumeRole calls are not evaluated). */
  policies?: Record<string, PolicyDocumentInput>;
}

export interface EmulatorOptions {
  host?: string;
  port?: number;
  region?: string;
  callers: EmulatorCaller[];
  roles: EmulatorRole[];
  /** Customer-managed policies that exist from the start (created before the roles, so roles may attach them). */
  managedPolicies?: EmulatorManagedPolicy[];
  buckets?: EmulatorBucket[];
  now?: () => Date;
}

export interface EmulatorRequest {
  at: string;
  service: 'sts' | 'iam' | 's3' | 'federation' | 'console';
  action: string;
  status: number;
  errorCode?: string;
  /** Request parameters with secrets replaced by "[redacted]". */
  params: Record<string, string>;
  callerArn?: string;
  /** The RequestId / x-amzn-RequestId of the answer. */
  requestId: string;
}

export type EmulatorFault = { kind: 'delay'; ms: number } | { kind: 'http5xx'; status?: number } | { kind: 'throttle' } | { kind: 'reset' };

/** The IAM Query API actions the emulator serves. */
export type IamAction =
  | 'CreatePolicy'
  | 'GetPolicy'
  | 'GetPolicyVersion'
  | 'ListPolicyVersions'
  | 'CreatePolicyVersion'
  | 'DeletePolicyVersion'
  | 'SetDefaultPolicyVersion'
  | 'AttachRolePolicy'
  | 'DetachRolePolicy'
  | 'ListAttachedRolePolicies'
  | 'GetRole'
  | 'UpdateAssumeRolePolicy';

export type FaultAction = 'AssumeRole' | 'GetCallerIdentity' | 'getSigninToken' | 'ListBuckets' | IamAction;

/** A managed policy as the emulator holds it (for assertions in tests). */
export interface ManagedPolicyView {
  arn: string;
  defaultVersionId: string;
  /** Oldest first; `document` is the JSON text as stored. */
  versions: { versionId: string; document: string; isDefault: boolean; createDate: Date }[];
  /** ARNs of the roles it is attached to. */
  attachedTo: string[];
}

/** A role as the emulator holds it (for assertions in tests). */
export interface RoleView {
  arn: string;
  maxSessionDuration: number;
  trustPolicy: string;
  inlinePolicyNames: string[];
  attachedPolicyArns: string[];
}

export interface AwsEmulator {
  /** http://HOST:PORT */
  url: string;
  /** Endpoint for the STS SDK client (STS is served at "/"). */
  stsUrl: string;
  /** Endpoint for the IAM SDK client (IAM is served at "/" too, told apart by the SigV4 credential scope); region us-east-1. */
  iamUrl: string;
  /** Endpoint for S3 (ListBuckets at "/", path style). */
  s3Url: string;
  /** url + "/federation" */
  federationUrl: string;
  /** Request log, in order. */
  requests: EmulatorRequest[];
  countCalls(action: string): number;
  clearLog(): void;
  /** Adds or replaces a role; throws Error on a bad definition. */
  addRole(role: EmulatorRole): void;
  /** Adds or replaces a managed policy (one version, v1); throws Error on a bad ARN or document. */
  addManagedPolicy(policy: EmulatorManagedPolicy): void;
  /** A managed policy's versions and attachments, or undefined. */
  managedPolicy(arn: string): ManagedPolicyView | undefined;
  /** A role's trust policy and identity policies, or undefined. */
  role(arn: string): RoleView | undefined;
  setFault(action: FaultAction, fault: EmulatorFault | null): void;
  close(): Promise<void>;
}
