import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '@rolegate/core';

/** What the pool gauges read (pg.Pool satisfies it). */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Upstream latency buckets (seconds): AWS answers in tens of ms, timeouts are seconds. */
const UPSTREAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one app, in their own Registry (never the global
 * default one, so that tests can build several apps in one process).
 * Labels carry only bounded values — statuses, kinds, AWS error codes, route
 * patterns — never a user, a role ARN or anything from a request body.
 */
export function createMetrics(opts: { pool?: PoolStats; defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const grants = new Counter({
    name: 'rolegate_grants_total',
    help: 'Grant rows written, by the status they reached and the grant kind',
    labelNames: ['status', 'kind'] as const,
    registers: [registry],
  });
  const sts = new Histogram({
    name: 'rolegate_sts_request_duration_seconds',
    help: 'AWS STS round trips; outcome is "ok" or the AWS error code',
    labelNames: ['action', 'outcome'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [registry],
  });
  const federation = new Histogram({
    name: 'rolegate_federation_request_duration_seconds',
    help: 'AWS federation endpoint round trips; outcome is "ok" or the error code',
    labelNames: ['action', 'outcome'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'rolegate_sign_ins_total',
    help: 'Completed sign-in attempts by identity provider kind and outcome',
    labelNames: ['idp', 'outcome'] as const,
    registers: [registry],
  });
  const http = new Histogram({
    name: 'rolegate_http_request_duration_seconds',
    help: 'HTTP requests by method, matched route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const revocationWrites = new Counter({
    name: 'rolegate_revocation_policy_writes_total',
    help: 'Revocation policy writes to IAM: outcome applied|failed; level exact|minute|hour|fallback (fallback: the role-wide TokenIssueTime deny, the entries did not fit)',
    labelNames: ['outcome', 'level'] as const,
    registers: [registry],
  });
  let revocationCounts: (() => Promise<Partial<Record<'requested' | 'applied', number>>>) | null = null;
  new Gauge({
    name: 'rolegate_revocations',
    help: 'Revocation entries not yet pruned, by state (requested: waiting for IAM)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!revocationCounts) return;
      const counts = await revocationCounts().catch(() => null);
      if (!counts) return;
      this.set({ state: 'requested' }, counts.requested ?? 0);
      this.set({ state: 'applied' }, counts.applied ?? 0);
    },
  });
  const feeds = new Map<string, { isLive(): boolean }>();
  new Gauge({
    name: 'rolegate_change_feed_live',
    help: 'Per change channel: 1 while this instance listens (its cache is on), 0 while it reads that data from Postgres',
    labelNames: ['channel'] as const,
    registers: [registry],
    collect() {
      for (const [channel, feed] of feeds) this.set({ channel }, feed.isLive() ? 1 : 0);
    },
  });
  let reviewCounts: (() => Promise<{ open: number; overdue: number }>) | null = null;
  new Gauge({
    name: 'rolegate_break_glass_reviews',
    help: 'Break-glass requests whose review is open, and of those the overdue ones (past reviewWithinSeconds)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!reviewCounts) return;
      // A database hiccup leaves the last values rather than failing the whole scrape.
      const counts = await reviewCounts().catch(() => null);
      if (!counts) return;
      this.set({ state: 'open' }, counts.open);
      this.set({ state: 'overdue' }, counts.overdue);
    },
  });
  type CheckCounts = { statuses: Record<string, number>; findings: Record<string, number> };
  let checkCounts: (() => Promise<CheckCounts>) | null = null;
  // One read per scrape feeds both gauges (prom-client collects them one after the other).
  let checkRead: { at: number; value: Promise<CheckCounts | null> } | null = null;
  const readChecks = () => {
    if (!checkCounts) return Promise.resolve(null);
    if (!checkRead || Date.now() - checkRead.at > 1000) checkRead = { at: Date.now(), value: checkCounts().catch(() => null) };
    return checkRead.value;
  };
  new Gauge({
    name: 'rolegate_mapping_checks',
    help: "Mappings by the status of their role's latest trust and set-up check (ok, problems, not_checked, cannot_check)",
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await readChecks();
      if (!counts) return;
      for (const [status, n] of Object.entries(counts.statuses)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'rolegate_mapping_check_findings',
    help: "Findings of the mappings' latest role checks, by finding code (e.g. TRUST_MISSING_TAG_SESSION)",
    labelNames: ['code'] as const,
    registers: [registry],
    async collect() {
      const counts = await readChecks();
      if (!counts) return;
      this.reset();
      for (const [code, n] of Object.entries(counts.findings)) this.set({ code }, n);
    },
  });
  if (opts.pool) {
    const pool = opts.pool;
    new Gauge({
      name: 'rolegate_db_pool_connections',
      help: 'Postgres pool connections: total open, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  /** Times every request; the route label is the matched pattern, so its values stay few. */
  const httpMiddleware: RequestHandler = (req, res, next) => {
    const end = http.startTimer();
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  /** Reports a change feed's state as `rolegate_change_feed_live{channel}`. */
  const watchFeed = (channel: string, feed: { isLive(): boolean }) => void feeds.set(channel, feed);

  /** Reports the break-glass review queue as `rolegate_break_glass_reviews{state}` (read at each scrape). */
  const watchReviews = (count: () => Promise<{ open: number; overdue: number }>) => {
    reviewCounts = count;
  };

  /** Reports the revocation entries as `rolegate_revocations{state}` (read at each scrape). */
  const watchRevocations = (count: () => Promise<Partial<Record<'requested' | 'applied', number>>>) => {
    revocationCounts = count;
  };

  /** Reports role checks as `rolegate_mapping_checks{status}` and `rolegate_mapping_check_findings{code}` (read at each scrape). */
  const watchMappingChecks = (count: () => Promise<CheckCounts>) => {
    checkCounts = count;
  };

  return { registry, grants, sts, federation, signIns, http, httpMiddleware, watchFeed, watchReviews, watchMappingChecks, revocationWrites, watchRevocations };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Bearer check for `/metrics` when METRICS_TOKEN is set. Both sides are hashed
 * before the constant-time comparison so that neither the token's content
 * nor its length leaks through response timing.
 */
export function metricsTokenMatches(expected: string, authorization: string | undefined): boolean {
  const m = /^Bearer (\S+)$/.exec(authorization ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(expected));
}

/**
 * `GET /metrics` in Prometheus text format. A scrape needs
 * `Authorization: Bearer <METRICS_TOKEN>` (401 without it): the counters
 * reveal who is active and how much, which is none of an outsider's
 * business. Without a token the endpoint is closed (404) — except in the
 * loopback-only demo (`openWithoutToken`), where nobody else can reach it.
 */
export function metricsHandler(metrics: Metrics, token: string | undefined, openWithoutToken = false): RequestHandler {
  return async (req, res) => {
    if (token === undefined && !openWithoutToken) {
      throw new AppError('NOT_FOUND', '/metrics is off: set METRICS_TOKEN to scrape it');
    }
    if (token !== undefined && !metricsTokenMatches(token, req.get('authorization'))) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('UNAUTHENTICATED', 'A bearer token is required for /metrics');
    }
    res.set('Content-Type', metrics.registry.contentType).set('Cache-Control', 'no-store');
    res.send(await metrics.registry.metrics());
  };
}
