import http from 'node:http';
import https from 'node:https';
import type { FederationPort } from '@rolegate/core';
import { parseRoleArn } from '@rolegate/aws-names';
import { endpointsFor, UpstreamError } from '@rolegate/core';

export interface FederationOptions {
  /** Overrides the partition's endpoint (the local emulator). */
  federationUrl: string | undefined;
  /** Shown to the user by AWS as where they came from. */
  issuer: string;
  timeoutMs: number;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 64 * 1024) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // One deadline for the whole exchange (connect, send, answer), whatever the socket does.
    const deadline = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}

/**
 * The AWS federation endpoint: exchanges temporary credentials for a sign-in
 * token (by POST, so the session never appears in a URL) and builds the
 * console sign-in URL for the role's partition.
 */
export function createFederationAdapter(opts: FederationOptions): FederationPort {
  // Parsed once per partition, not per grant.
  const endpoints = new Map<string, URL>();
  const endpointFor = (partition: Parameters<typeof endpointsFor>[0]) => {
    let url = endpoints.get(partition);
    if (!url) endpoints.set(partition, (url = new URL(opts.federationUrl ?? endpointsFor(partition).federationUrl)));
    return url;
  };
  return {
    async signInUrl({ credentials, roleArn, destination, sessionDurationSeconds }) {
      const arn = parseRoleArn(roleArn);
      if (!arn) throw new UpstreamError('federation', 'InvalidRoleArn', 'role ARN cannot be parsed');
      const endpoint = endpointFor(arn.partition);
      const form = new URLSearchParams({
        Action: 'getSigninToken',
        Session: JSON.stringify({ sessionId: credentials.accessKeyId, sessionKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken }),
      });
      if (sessionDurationSeconds !== undefined) form.set('SessionDuration', String(sessionDurationSeconds));
      let res: { status: number; text: string };
      try {
        res = await post(endpoint, form.toString(), opts.timeoutMs);
      } catch (err) {
        const code = (err as { code?: string }).code === 'ETIMEDOUT' ? 'Timeout' : 'ConnectionError';
        throw new UpstreamError('federation', code, 'the federation endpoint could not be reached');
      }
      if (res.status !== 200) {
        const code = res.status === 429 ? 'Throttling' : `HTTP${res.status}`;
        throw new UpstreamError('federation', code, `getSigninToken answered ${res.status}`);
      }
      let token: unknown;
      try {
        token = (JSON.parse(res.text) as { SigninToken?: unknown }).SigninToken;
      } catch {
        token = undefined;
      }
      if (typeof token !== 'string' || token.length === 0) {
        throw new UpstreamError('federation', 'MalformedResponse', 'getSigninToken returned no token');
      }
      const query = new URLSearchParams({ Action: 'login', Issuer: opts.issuer, Destination: destination, SigninToken: token });
      return `${endpoint.origin}${endpoint.pathname}?${query.toString()}`;
    },
  };
}
