import http from 'node:http';
import https from 'node:https';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parseRoleArn, partitionOfRegion, type Partition } from '@rolegate/aws-names';
import type { AssumeRoleInput, AssumeRoleOutput, StsPort } from '@rolegate/core';
import { stsRegionFor, UpstreamError } from '@rolegate/core';

type StsRequestHandler = NonNullable<NonNullable<ConstructorParameters<typeof STSClient>[0]>['requestHandler']>;

export interface StsAdapterOptions {
  region: string;
  endpoint: string | undefined;
  timeoutMs: number;
  /** Explicit broker credentials (demo and tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Replaces the HTTP handler (unit tests that read the request AWS would receive). */
  requestHandler?: StsRequestHandler;
}

function toUpstream(err: unknown): UpstreamError {
  const e = err as { name?: string; message?: string; $metadata?: { requestId?: string } };
  const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError' || /timed? ?out/i.test(e.message ?? '');
  const code = timedOut ? 'Timeout' : (e.name ?? 'UnknownError');
  // AWS messages name ARNs, never secrets; keep them short for the audit row.
  return new UpstreamError('sts', code, (e.message ?? code).slice(0, 300), e.$metadata?.requestId ?? null);
}

/**
 * STS through the real AWS SDK, bounded by a timeout: one client per
 * partition, made on first use, each on that partition's regional endpoint
 * (a role in aws-us-gov or aws-cn is assumed through that partition's STS, as
 * the federation endpoint already is). AWS_ENDPOINT_URL_STS, when set (the
 * emulator), serves every partition.
 */
export function createStsAdapter(opts: StsAdapterOptions): StsPort & { detectIdentity(): Promise<string | null>; destroy(): void } {
  const requestHandler =
    opts.requestHandler ??
    new NodeHttpHandler({
      connectionTimeout: Math.min(opts.timeoutMs, 3000),
      requestTimeout: opts.timeoutMs,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    });
  const clients = new Map<Partition, STSClient>();
  function clientFor(partition: Partition): STSClient {
    let c = clients.get(partition);
    if (!c) {
      c = new STSClient({
        region: stsRegionFor(partition, opts.region),
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(opts.credentials ? { credentials: opts.credentials } : {}),
        maxAttempts: 1,
        requestHandler,
      });
      clients.set(partition, c);
    }
    return c;
  }
  const client = clientFor(partitionOfRegion(opts.region));
  let chained: boolean | null = null;
  let identity: Promise<string | null> | null = null;
  let lastFailure = 0;

  async function send<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const signal = AbortSignal.timeout(opts.timeoutMs);
    try {
      return await run(signal);
    } catch (err) {
      throw toUpstream(err);
    }
  }

  /** Asks STS who the broker is (GetCallerIdentity) and remembers whether it runs on role credentials. */
  function detectIdentity(): Promise<string | null> {
    if (!identity || (chained === null && Date.now() - lastFailure > 30_000)) {
      identity = send((abortSignal) => client.send(new GetCallerIdentityCommand({}), { abortSignal })).then(
        (out) => {
          chained = (out.Arn ?? '').includes(':assumed-role/');
          return out.Arn ?? null;
        },
        () => {
          lastFailure = Date.now();
          return null;
        },
      );
    }
    return identity;
  }

  return {
    async assumeRole(input: AssumeRoleInput): Promise<AssumeRoleOutput> {
      const partition = parseRoleArn(input.roleArn)?.partition ?? partitionOfRegion(opts.region);
      const out = await send((abortSignal) =>
        clientFor(partition).send(
          new AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.roleSessionName,
            SourceIdentity: input.sourceIdentity,
            DurationSeconds: input.durationSeconds,
            Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
          { abortSignal },
        ),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new UpstreamError('sts', 'MalformedResponse', 'AssumeRole returned no credentials', out.$metadata.requestId ?? null);
      }
      return {
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
        requestId: out.$metadata.requestId ?? null,
        assumedRoleArn: out.AssumedRoleUser?.Arn ?? null,
      };
    },
    /**
     * Whether the broker runs on role credentials. Asked of STS once (retried
     * at most every 30 s while unknown); while unknown, assume it does, so a
     * session is never requested longer than AWS would allow (fail closed).
     */
    async isRoleChained() {
      if (chained === null) await detectIdentity();
      return chained ?? true;
    },
    detectIdentity,
    destroy: () => {
      for (const c of clients.values()) c.destroy();
    },
  };
}
