/** The load generator: autocannon (public, npm) driven programmatically, and a one-client loop timed with performance.now(). */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { summarize, type Summary } from './stats.js';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Per-request variants (e.g. 200 distinct users): request i gets
   * variants[i mod n]'s extra headers and body instead of `body`.
   */
  variants?: { headers: Record<string, string>; body: string }[];
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  latencyMean: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; mean: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

/** POSTs `body` to `url` with `connections` keep-alive connections for the duration. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const r = (await autocannon({
    url: opts.url,
    method: 'POST',
    connections: opts.connections,
    pipelining: 1,
    duration: opts.durationSeconds,
    timeout: 10,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...opts.headers },
    body: opts.body,
    ...(opts.variants?.length ? { requests: [{ setupRequest: rotate(opts.variants) }] } : {}),
  })) as AutocannonResult;
  return {
    requestsPerSecond: r['2xx'] / r.duration,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    latencyMean: r.latency.mean,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

function rotate(variants: { headers: Record<string, string>; body: string }[]) {
  let next = 0;
  return (req: { headers?: Record<string, string> }) => {
    const v = variants[next++ % variants.length]!;
    return { ...req, headers: { ...req.headers, ...v.headers }, body: v.body };
  };
}

export interface SequentialResult {
  requestsPerSecond: number;
  latencyMs: Summary;
  ok: number;
  failed: number;
}

/**
 * One client, one keep-alive connection, one request at a time for the
 * duration; each latency is timed with performance.now() (autocannon's
 * histogram has whole-millisecond resolution, too coarse for a 1 ms goal).
 */
export async function runSequential(opts: LoadOptions): Promise<SequentialResult> {
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const end = performance.now() + opts.durationSeconds * 1000;
  const started = performance.now();
  for (let i = 0; performance.now() < end; i++) {
    const v = opts.variants?.length ? opts.variants[i % opts.variants.length]! : { headers: {}, body: opts.body };
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...opts.headers,
      ...v.headers,
      'content-length': String(Buffer.byteLength(v.body)),
    };
    const t0 = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(v.body);
    });
    if (status >= 200 && status < 300) {
      ok++;
      latencies.push(performance.now() - t0);
    } else failed++;
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requestsPerSecond: ok / seconds, latencyMs: summarize(latencies), ok, failed };
}
