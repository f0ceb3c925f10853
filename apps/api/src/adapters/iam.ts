import http from 'node:http';
import https from 'node:https';
import type { IAMClient } from '@aws-sdk/client-iam';
import { parseRoleArn, type Partition } from '@rolegate/aws-names';
import { AppError, UpstreamError } from '@rolegate/core';
import type * as IamSdkModule from './iam-sdk.js';
import { createStsAdapter, type LeanSts } from './sts.js';

/** The IAM client and the commands Rolegate sends (./iam-sdk.ts), loaded on the first IAM call. */
export type IamSdk = typeof IamSdkModule;

/** IAM's signing region per partition (IAM is a global service with one endpoint per partition). */
const IAM_REGION: Record<Partition, string> = { aws: 'us-east-1', 'aws-us-gov': 'us-gov-west-1', 'aws-cn': 'cn-north-1' };

/** Refresh a control session this long before it expires (a call started on it must not outlive it). */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** Control sessions last an hour: the longest AWS allows a role-chained broker. */
const CONTROL_SESSION_SECONDS = 3600;
/** The RoleSessionName of every control session (CloudTrail shows it on each IAM call). */
export const CONTROL_SESSION_NAME = 'rolegate-control';

/** The account's IAM access, as the control role: its partition and role. */
export interface ControlAccess {
  accountId: string;
  partition: Partition;
  controlRoleArn: string;
}

/**
 * IAM in each AWS account, reached through that account's control role
 * (`controlRoleArn`, docs/deploy.md "Control role").
 */
export interface IamControlPort {
  /** REVOCATION_POLICY_NAME (default RolegateRevocations). */
  readonly revocationPolicyName: string;
  /**
   * The account's control role and partition (no AWS call).
   * @throws AppError CONTROL_ROLE_MISSING (the account has none, or is unknown)
   */
  access(accountId: string): Promise<ControlAccess>;
  /**
   * Runs one IAM call as the account's control role, bounded by IAM_TIMEOUT_MS:
   * `run` gets an IAM client signed with the control role's session, the
   * call's abort signal and the IAM SDK (its commands; loaded on the first call).
   * @throws AppError CONTROL_ROLE_MISSING; UpstreamError('iam', awsCode) when STS (assuming the control role) or IAM refuses, throttles, fails or times out
   */
  call<T>(accountId: string, run: (client: IAMClient, abortSignal: AbortSignal, sdk: IamSdk) => Promise<T>): Promise<T>;
  /** arn:<partition>:iam::<accountId>:policy/<revocationPolicyName>, the partition being the control role's. @throws like access() */
  revocationPolicyArn(accountId: string): Promise<string>;
  destroy(): void;
}

export interface IamAdapterOptions {
  /** AWS_REGION: picks the partition of the broker's STS. */
  region: string;
  /** AWS_ENDPOINT_URL_STS (the emulator); unset = each partition's regional STS. */
  stsEndpoint: string | undefined;
  /** AWS_ENDPOINT_URL_IAM (the emulator); unset = each partition's IAM endpoint. */
  iamEndpoint: string | undefined;
  /** IAM_TIMEOUT_MS: bounds the control role's AssumeRole and each IAM call, each on its own. */
  timeoutMs: number;
  revocationPolicyName: string;
  /** The account's control role ARN, or null when it has none (or the account is unknown). */
  controlRoleOf(accountId: string): Promise<string | null>;
  /** Explicit broker credentials (demo and tests); otherwise the AWS SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  clock?: { now(): number };
  /** Loads the IAM SDK (default: `import('./iam-sdk.js')`; tests count the loads). */
  loadSdk?: () => Promise<IamSdk>;
}

/** arn:<partition>:iam::<accountId>:policy/<name>: the revocation policy of one account. */
export function revocationPolicyArnOf(partition: Partition, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${name}`;
}

function toUpstream(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { requestId?: string } };
  const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || /timed? ?out/i.test(e.message ?? '');
  const code = timedOut ? 'Timeout' : (e.name ?? 'UnknownError');
  return new UpstreamError('iam', code, (e.message ?? code).slice(0, 300), e.$metadata?.requestId ?? null);
}

interface ControlSession {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date };
}

/**
 * IAM through each account's control role. The control role is assumed with
 * the same lean SigV4 Query call grants use (./sts.ts; its own keep-alive
 * connections and IAM_TIMEOUT_MS as its deadline), and the AWS SDK's IAM
 * client is loaded on the first IAM call (once the control role's session
 * is there), so a replica whose accounts have no control role never loads it.
 *
 * Control sessions are cached per control role until shortly before they
 * expire (one AssumeRole per account and hour, not per call), and concurrent
 * first uses share one AssumeRole; a failed one is not cached. A changed
 * controlRoleArn is picked up at once: clients are keyed by the role, which
 * is read from the account on every call.
 */
export function createIamAdapter(opts: IamAdapterOptions): IamControlPort {
  const now = () => (opts.clock ? opts.clock.now() : Date.now());
  const loadSdk = opts.loadSdk ?? (() => import('./iam-sdk.js'));
  const sts: LeanSts = createStsAdapter({
    region: opts.region,
    endpoint: opts.stsEndpoint,
    timeoutMs: opts.timeoutMs,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
  // IAM's connections (the SDK's own handler, built from these options when the first client is made).
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });

  let sdk: Promise<IamSdk> | null = null;
  /** The IAM SDK, loaded once (concurrent first calls share the load; a failed load is tried again next time). */
  function iamSdk(): Promise<IamSdk> {
    if (!sdk) {
      const loading = loadSdk();
      sdk = loading;
      loading.catch(() => {
        if (sdk === loading) sdk = null;
      });
    }
    return sdk;
  }

  /** Per control role: the AssumeRole in flight or done, and (once done) when its session expires. */
  const sessions = new Map<string, { session: Promise<ControlSession>; expiresAt: number | null }>();
  const clients = new Map<string, IAMClient>();

  async function assumeControlRole(roleArn: string): Promise<ControlSession> {
    try {
      // The role's own partition's STS (or AWS_ENDPOINT_URL_STS); no source identity or tags: the broker acts for itself.
      const out = await sts.assumeRole({ roleArn, roleSessionName: CONTROL_SESSION_NAME, durationSeconds: CONTROL_SESSION_SECONDS });
      return { credentials: out.credentials };
    } catch (err) {
      const up = toUpstream(err);
      // Name the step: an AccessDenied here is the control role's trust policy, not IAM.
      throw new UpstreamError('iam', up.code, `assuming the control role ${roleArn}: ${up.message}`.slice(0, 300), up.requestId);
    }
  }

  /**
   * The cached control session of `roleArn`; a new one when none is cached
   * or the cached one expires within REFRESH_BEFORE_MS. Concurrent callers
   * share one AssumeRole; a failed one is not cached.
   */
  function session(roleArn: string): Promise<ControlSession> {
    const cached = sessions.get(roleArn);
    if (cached && (cached.expiresAt === null || cached.expiresAt - REFRESH_BEFORE_MS > now())) return cached.session;
    const entry: { session: Promise<ControlSession>; expiresAt: number | null } = { session: assumeControlRole(roleArn), expiresAt: null };
    entry.session.then(
      (s) => {
        entry.expiresAt = s.credentials.expiration.getTime();
      },
      () => {
        if (sessions.get(roleArn) === entry) sessions.delete(roleArn);
      },
    );
    sessions.set(roleArn, entry);
    return entry.session;
  }

  function clientOf(m: IamSdk, roleArn: string, partition: Partition): IAMClient {
    let c = clients.get(roleArn);
    if (!c) {
      c = new m.IAMClient({
        region: IAM_REGION[partition],
        ...(opts.iamEndpoint ? { endpoint: opts.iamEndpoint } : {}),
        // Asked on every call (the SDK keeps an identity until its expiration; the cache above renews it earlier).
        credentials: async () => (await session(roleArn)).credentials,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: Math.min(opts.timeoutMs, 3000), requestTimeout: opts.timeoutMs, httpAgent, httpsAgent },
      });
      clients.set(roleArn, c);
    }
    return c;
  }

  async function access(accountId: string): Promise<ControlAccess> {
    const controlRoleArn = await opts.controlRoleOf(accountId);
    const parsed = controlRoleArn ? parseRoleArn(controlRoleArn) : null;
    if (!controlRoleArn || !parsed) {
      throw new AppError(
        'CONTROL_ROLE_MISSING',
        `Account ${accountId} has no control role: set its controlRoleArn (admin screen → Accounts, or the mappings file) to the role described in docs/deploy.md`,
        { accountId },
      );
    }
    return { accountId, partition: parsed.partition, controlRoleArn };
  }

  return {
    revocationPolicyName: opts.revocationPolicyName,
    access,
    async call(accountId, run) {
      const { controlRoleArn, partition } = await access(accountId);
      // Assume first (its own timeout), so IAM_TIMEOUT_MS bounds the IAM call itself; the SDK loads only once there is a session to use.
      await session(controlRoleArn);
      const m = await iamSdk();
      try {
        return await run(clientOf(m, controlRoleArn, partition), AbortSignal.timeout(opts.timeoutMs), m);
      } catch (err) {
        throw toUpstream(err);
      }
    },
    async revocationPolicyArn(accountId) {
      const { partition } = await access(accountId);
      return revocationPolicyArnOf(partition, accountId, opts.revocationPolicyName);
    },
    destroy() {
      for (const c of clients.values()) c.destroy();
      clients.clear();
      sessions.clear();
      sts.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
