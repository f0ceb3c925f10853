import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { EmulatorContext } from './context.js';
import { IamState } from './iam-state.js';
import { createEmulatorServer } from './server.js';
import { SessionStore } from './store.js';
import type { AwsEmulator, EmulatorFault, EmulatorOptions, EmulatorRequest, FaultAction, ManagedPolicyView, RoleView } from './types.js';

export type {
  AwsEmulator,
  EmulatorBucket,
  EmulatorCaller,
  EmulatorFault,
  EmulatorManagedPolicy,
  EmulatorOptions,
  EmulatorRequest,
  EmulatorRole,
  FaultAction,
  IamAction,
  ManagedPolicyView,
  PolicyDocumentInput,
  RoleView,
} from './types.js';
export { evaluatePolicies, type AuthzRequest, type Decision, type NamedPolicy } from './policy/evaluate.js';
export { parsePolicyDocument, policySize, MANAGED_POLICY_MAX_CHARS, PolicySyntaxError, type PolicyDocument } from './policy/document.js';

/**
 * Starts the emulator: STS, IAM and S3 ListBuckets at "/" (told apart by the SigV4 credential scope),
 * federation at "/federation", console at "/console". Throws on a bad role or policy definition or when the port is taken.
 */
export async function startAwsEmulator(opts: EmulatorOptions): Promise<AwsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? (() => new Date());
  const callers = new Map(opts.callers.map((c) => [c.accessKeyId, { ...c }]));
  const iam = new IamState(() => [...callers.values()], now);
  for (const p of opts.managedPolicies ?? []) iam.putPolicy(p);
  for (const r of opts.roles) iam.putRole(r);
  const ctx: EmulatorContext = {
    region: opts.region ?? 'us-east-1',
    now,
    callers,
    iam,
    buckets: [...(opts.buckets ?? [])],
    store: new SessionStore(),
  };
  const faults = new Map<FaultAction, EmulatorFault>();
  const requests: EmulatorRequest[] = [];
  const server = createEmulatorServer({ ctx, faults, log: (entry) => requests.push(entry) });
  // `once` rejects if 'error' (a taken port) comes first.
  await once(server.listen(opts.port ?? 0, host), 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    stsUrl: url,
    iamUrl: url,
    s3Url: url,
    federationUrl: `${url}/federation`,
    requests,
    countCalls: (action) => requests.filter((r) => r.action === action).length,
    clearLog: () => {
      requests.length = 0;
    },
    addRole: (role) => {
      iam.putRole(role);
    },
    addManagedPolicy: (policy) => {
      iam.putPolicy(policy);
    },
    managedPolicy: (arn): ManagedPolicyView | undefined => {
      const p = iam.policies.get(arn);
      if (!p) return undefined;
      return {
        arn,
        defaultVersionId: p.defaultVersionId,
        versions: p.versions.map((v) => ({
          versionId: v.versionId,
          document: v.text,
          isDefault: v.versionId === p.defaultVersionId,
          createDate: v.createDate,
        })),
        attachedTo: iam.attachedTo(arn).map((r) => r.arn),
      };
    },
    role: (arn): RoleView | undefined => {
      const r = iam.roles.get(arn);
      if (!r) return undefined;
      return {
        arn,
        maxSessionDuration: r.maxSessionDuration,
        trustPolicy: r.trustText,
        inlinePolicyNames: [...r.inline.keys()],
        attachedPolicyArns: [...r.attached],
      };
    },
    setFault: (action, fault) => {
      if (fault) faults.set(action, fault);
      else faults.delete(action);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
