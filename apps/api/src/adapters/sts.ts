import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseRoleArn, partitionOfRegion, type Partition } from '@rolegate/aws-names';
import type { AssumeRoleInput, AssumeRoleOutput, StsPort } from '@rolegate/core';
import { stsRegionFor, UpstreamError } from '@rolegate/core';
import { parseAssumeRoleResponse, parseCallerIdentityResponse, parseErrorResponse, XmlError } from './sts-xml.js';

/** The request as it is signed and sent (the shape of Smithy's HttpRequest). */
export interface StsHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

/** Something that sends a signed request: a Smithy HttpHandler-shaped object (unit tests read the request AWS would receive). */
export interface StsRequestHandler {
  handle(
    request: StsHttpRequest,
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ response: { statusCode: number; headers: Record<string, string | undefined>; body?: AsyncIterable<Uint8Array | string> } }>;
  destroy?(): void;
}

interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface StsAdapterOptions {
  region: string;
  endpoint: string | undefined;
  timeoutMs: number;
  /** Explicit broker credentials (demo and tests); otherwise the AWS SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Replaces the HTTP transport (unit tests that read the request AWS would receive). */
  requestHandler?: StsRequestHandler;
}

/** SHA-256 / HMAC-SHA-256 from node:crypto, shaped as Smithy's Checksum (what @smithy/hash-node does). */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
  update(data: Uint8Array | string): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

const API_VERSION = '2011-06-15';
const MAX_RESPONSE_BYTES = 64 * 1024;
/** AWS's errors that say the request's clock is off (the SDK corrects its clock on these; so does this adapter). */
const SKEW_CODES = new Set([
  'RequestTimeTooSkewed',
  'RequestExpired',
  'RequestInTheFuture',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'AuthFailure',
]);

/** RFC 3986 encoding, as the SDK's Query serializer does it. */
const enc = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * One AssumeRole as this adapter sends it: a grant's (StsPort's input, with
 * source identity and session tags) or the broker's own, e.g. assuming an
 * account's control role (adapters/iam.ts), without them.
 */
export type StsAssumeRoleCall = Omit<AssumeRoleInput, 'sourceIdentity' | 'tags' | 'durationSeconds'> &
  Partial<Pick<AssumeRoleInput, 'sourceIdentity' | 'tags' | 'durationSeconds'>>;

/** The lean STS adapter: StsPort for grants, plus the broker's identity and its own AssumeRole calls. */
export interface LeanSts extends StsPort {
  /** @throws UpstreamError('sts', awsCode): a refusal, throttling, an unreadable answer, no connection, the deadline (Timeout), no broker credentials (CredentialsError) */
  assumeRole(input: StsAssumeRoleCall): Promise<AssumeRoleOutput>;
  /** The broker's own ARN (GetCallerIdentity), or null while STS cannot say. */
  detectIdentity(): Promise<string | null>;
  /** Closes the keep-alive connections (the adapter stays usable; new calls open new ones). */
  destroy(): void;
}

/** The AWS Query body of an AssumeRole call: the fields the SDK sends for the same input, RFC 3986-encoded. */
export function assumeRoleBody(input: StsAssumeRoleCall): string {
  let body = `Action=AssumeRole&Version=${API_VERSION}&RoleArn=${enc(input.roleArn)}&RoleSessionName=${enc(input.roleSessionName)}`;
  let n = 0;
  for (const [key, value] of Object.entries(input.tags ?? {})) {
    n++;
    body += `&Tags.member.${n}.Key=${enc(key)}&Tags.member.${n}.Value=${enc(value)}`;
  }
  if (input.durationSeconds !== undefined) body += `&DurationSeconds=${input.durationSeconds}`;
  if (input.sourceIdentity !== undefined) body += `&SourceIdentity=${enc(input.sourceIdentity)}`;
  return body;
}

interface Endpoint {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  host: string;
  region: string;
  signer: SignatureV4;
}

/** One deadline for the whole exchange (connect, send, answer): the answer's status, headers and text. */
function defaultTransport(): StsRequestHandler & { send(req: StsHttpRequest, timeoutMs: number): Promise<Answer> } {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  const send = (r: StsHttpRequest, timeoutMs: number): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const tls = r.protocol === 'https:';
      const req = (tls ? https : http).request(
        { method: r.method, host: r.hostname, port: r.port, path: r.path, headers: r.headers, agent: tls ? httpsAgent : httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
            else chunks.push(c);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, header: (name) => firstHeader(res.headers[name]), text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`STS did not answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
      req.on('error', reject);
      req.on('close', () => clearTimeout(deadline));
      req.end(r.body);
    });
  return {
    send,
    handle: () => Promise.reject(new Error('not used')),
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

interface Answer {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

const firstHeader = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Adapts a Smithy-shaped handler (tests) to the transport's `send`. */
function viaHandler(handler: StsRequestHandler) {
  return async (r: StsHttpRequest, timeoutMs: number): Promise<Answer> => {
    const abortSignal = AbortSignal.timeout(timeoutMs);
    const aborted = new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason as Error), { once: true }));
    aborted.catch(() => {}); // the race below handles it; a late timeout must not be an unhandled rejection
    const { response } = await Promise.race([handler.handle(r, { abortSignal }), aborted]);
    let text = '';
    if (response.body) for await (const c of response.body) text += typeof c === 'string' ? c : Buffer.from(c).toString('utf8');
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { status: response.statusCode, header: (name) => headers[name], text };
  };
}

/**
 * STS as a lean AWS Query call: the request is signed with SigV4 by
 * @smithy/signature-v4 (the SDK's own signer), sent over a keep-alive agent
 * with one deadline, and its XML answer read strictly (./sts-xml.ts). The
 * full SDK client cost about a sixth of the broker's CPU per grant
 * (bench/profile.md) for the same request on the wire.
 *
 * Each role's call goes to its partition's regional endpoint (a role in
 * aws-us-gov or aws-cn is assumed through that partition's STS, as the
 * federation endpoint already is); AWS_ENDPOINT_URL_STS, when set (the
 * emulator), serves every partition. No retries (as before, `maxAttempts: 1`):
 * a failed call fails the grant with AWS's error code. Without explicit
 * credentials the broker's own come from the AWS SDK's default chain
 * (environment, web identity, shared files, container and instance metadata),
 * refreshed five minutes before they expire.
 */
export function createStsAdapter(opts: StsAdapterOptions): LeanSts {
  const transport = opts.requestHandler ? null : defaultTransport();
  const send = transport ? transport.send : viaHandler(opts.requestHandler!);
  const override = opts.endpoint ? new URL(opts.endpoint) : null;

  let provider: (() => Promise<AwsCredentials>) | null = null;
  const credentials = async (): Promise<AwsCredentials> => {
    if (opts.credentials) return opts.credentials;
    if (!provider) {
      // Loaded on first use: a demo or test broker with explicit credentials never loads the chain.
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      provider = defaultProvider({ clientConfig: { region: opts.region } });
    }
    return provider();
  };

  /** Milliseconds to add to the local clock when signing (set from AWS's Date header after a clock-skew refusal). */
  let clockOffset = 0;

  const endpoints = new Map<Partition, Endpoint>();
  function endpointFor(partition: Partition): Endpoint {
    let e = endpoints.get(partition);
    if (!e) {
      const region = stsRegionFor(partition, opts.region);
      const url = override ?? new URL(`https://sts.${region}.${partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}/`);
      const port = url.port ? Number(url.port) : undefined;
      e = {
        protocol: url.protocol,
        hostname: url.hostname,
        port,
        path: url.pathname || '/',
        host: url.host,
        region,
        signer: new SignatureV4({ service: 'sts', region, credentials, sha256: NodeSha256, applyChecksum: false }),
      };
      endpoints.set(partition, e);
    }
    return e;
  }

  /** Signs and sends one call; the answer on 200, else an UpstreamError with AWS's code. */
  async function call(partition: Partition, body: string): Promise<Answer> {
    const e = endpointFor(partition);
    const request: StsHttpRequest = {
      method: 'POST',
      protocol: e.protocol,
      hostname: e.hostname,
      ...(e.port !== undefined ? { port: e.port } : {}),
      path: e.path,
      query: {},
      headers: { host: e.host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
      body,
    };
    let signed: StsHttpRequest;
    try {
      signed = (await e.signer.sign(request as never, { signingDate: new Date(Date.now() + clockOffset) })) as unknown as StsHttpRequest;
    } catch (err) {
      throw new UpstreamError('sts', 'CredentialsError', `the broker's AWS credentials could not be loaded: ${(err as Error).message}`.slice(0, 300), null);
    }
    let answer: Answer;
    try {
      answer = await send(signed, opts.timeoutMs);
    } catch (err) {
      const e2 = err as { code?: string; name?: string; message?: string };
      if (e2.code === 'ETIMEDOUT' || e2.name === 'TimeoutError' || e2.name === 'AbortError') {
        throw new UpstreamError('sts', 'Timeout', `STS did not answer within ${opts.timeoutMs} ms`, null);
      }
      throw new UpstreamError('sts', 'ConnectionError', `STS could not be reached (${e2.code ?? e2.message ?? 'error'})`.slice(0, 300), null);
    }
    if (answer.status === 200) return answer;
    const headerId = answer.header('x-amzn-requestid') ?? null;
    const error = parseErrorResponse(answer.text);
    const code = error?.code ?? (answer.status === 429 ? 'Throttling' : `HTTP${answer.status}`);
    if (SKEW_CODES.has(code)) {
      const serverTime = Date.parse(answer.header('date') ?? '');
      if (!Number.isNaN(serverTime) && Math.abs(serverTime - (Date.now() + clockOffset)) >= 300_000) clockOffset = serverTime - Date.now();
    }
    // AWS messages name ARNs, never secrets; keep them short for the audit row.
    throw new UpstreamError('sts', code, (error?.message || code).slice(0, 300), error?.requestId ?? headerId);
  }

  const homePartition = partitionOfRegion(opts.region);
  let chained: boolean | null = null;
  let identity: Promise<string | null> | null = null;
  let lastFailure = 0;

  /** Asks STS who the broker is (GetCallerIdentity) and remembers whether it runs on role credentials. */
  function detectIdentity(): Promise<string | null> {
    if (!identity || (chained === null && Date.now() - lastFailure > 30_000)) {
      identity = call(homePartition, `Action=GetCallerIdentity&Version=${API_VERSION}`)
        .then((answer) => {
          const { arn } = parseCallerIdentityResponse(answer.text);
          chained = arn.includes(':assumed-role/');
          return arn;
        })
        .catch(() => {
          lastFailure = Date.now();
          return null;
        });
    }
    return identity;
  }

  return {
    async assumeRole(input: StsAssumeRoleCall): Promise<AssumeRoleOutput> {
      const partition = parseRoleArn(input.roleArn)?.partition ?? homePartition;
      const answer = await call(partition, assumeRoleBody(input));
      let out;
      try {
        out = parseAssumeRoleResponse(answer.text);
      } catch (err) {
        const why = err instanceof XmlError ? err.message : 'unreadable answer';
        throw new UpstreamError('sts', 'MalformedResponse', `AssumeRole answered 200 with ${why}`.slice(0, 300), answer.header('x-amzn-requestid') ?? null);
      }
      return {
        credentials: { accessKeyId: out.accessKeyId, secretAccessKey: out.secretAccessKey, sessionToken: out.sessionToken, expiration: out.expiration },
        requestId: out.requestId ?? answer.header('x-amzn-requestid') ?? null,
        assumedRoleArn: out.assumedRoleArn,
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
      transport?.destroy?.();
      opts.requestHandler?.destroy?.();
    },
  };
}
