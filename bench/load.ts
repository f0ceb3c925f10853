/** The load generator: autocannon (public, npm) driven programmatically. */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  body: string;
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
