/**
 * Per-request timing inside a server process (Rolegate or the baseline):
 * the wall time of each request from arrival to the end of its response, and
 * how much of it was spent waiting on STS and the federation endpoint
 * (through `upstream()`, which the harness wraps around the adapters).
 * Overhead = total − upstream, per request, so its percentiles are real.
 *
 * With concurrent requests, tracing ties an upstream call to its request with
 * AsyncLocalStorage, which costs something per promise (on Node 20); it is
 * switched on only for the overhead runs, never for the throughput runs.
 * With one connection requests are strictly sequential, and `sequential`
 * tracing attributes upstream time to the request in progress without
 * AsyncLocalStorage, so the tracer's own cost stays out of the broker's
 * overhead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarize } from './stats.js';

interface Frame {
  upstreamMs: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Creates the tracer of one process. */
export function createTracer() {
  let als: AsyncLocalStorage<Frame> | null = null;
  let sequential = false;
  let current: Frame | null = null;
  let totals: number[] = [];
  let upstreams: number[] = [];
  let ok = 0;
  let failed = 0;
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let queries = 0;

  /** Wraps the request handler: counts answers, and times them while tracing. */
  function wrap(handler: Handler): Handler {
    return (req, res) => {
      const tracing = als;
      if (!tracing && !sequential) {
        res.on('finish', () => (res.statusCode < 300 ? ok++ : failed++));
        handler(req, res);
        return;
      }
      const t0 = performance.now();
      const frame: Frame = { upstreamMs: 0 };
      res.on('finish', () => {
        if (res.statusCode >= 300) {
          failed++;
          return;
        }
        ok++;
        totals.push(performance.now() - t0);
        upstreams.push(frame.upstreamMs);
      });
      if (tracing) tracing.run(frame, () => handler(req, res));
      else {
        current = frame;
        handler(req, res);
      }
    };
  }

  /** Runs an upstream (AWS) call and adds its wall time to the current request. */
  async function upstream<T>(call: () => Promise<T>): Promise<T> {
    const frame = als ? als.getStore() : sequential ? current : undefined;
    if (!frame) return call();
    const t0 = performance.now();
    try {
      return await call();
    } finally {
      frame.upstreamMs += performance.now() - t0;
    }
  }

  return {
    wrap,
    upstream,
    /** Counts one statement sent to Postgres (see countQueries). */
    countQuery: () => {
      queries++;
    },
    ops: {
      /**
       * Starts a measurement window; `arg` true switches per-request tracing
       * on, 'sequential' traces one-at-a-time requests without AsyncLocalStorage.
       */
      reset(arg: unknown) {
        if (arg === true && !als) als = new AsyncLocalStorage<Frame>();
        if (arg !== true && als) {
          als.disable();
          als = null;
        }
        sequential = arg === 'sequential';
        current = null;
        totals = [];
        upstreams = [];
        ok = 0;
        failed = 0;
        queries = 0;
        cpu = process.cpuUsage();
        elu = performance.eventLoopUtilization();
        return true;
      },
      /** What happened since the last reset. */
      stats() {
        const used = process.cpuUsage(cpu);
        const overheads = totals.map((t, i) => t - upstreams[i]!);
        return {
          ok,
          failed,
          cpuMsPerRequest: ok ? (used.user + used.system) / 1000 / ok : null,
          /** Resident memory of the server process at the end of the run. */
          rssMb: process.memoryUsage().rss / 2 ** 20,
          /** Statements sent to Postgres per answered request (each one is a round trip). */
          queriesPerRequest: ok ? queries / ok : null,
          eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
          totalMs: summarize(totals),
          upstreamMs: summarize(upstreams),
          overheadMs: summarize(overheads),
        };
      },
    },
  };
}

/**
 * Counts every statement a pg Client sends (pool.query and Prisma's adapter
 * both end in Client#query): Postgres round trips per request.
 */
export function countQueries(client: { prototype: { query: (...args: unknown[]) => unknown } }, tracer: { countQuery(): void }): void {
  const original = client.prototype.query;
  client.prototype.query = function (this: unknown, ...args: unknown[]) {
    tracer.countQuery();
    return original.apply(this, args);
  };
}

export type ServerStats = ReturnType<ReturnType<typeof createTracer>['ops']['stats']>;
