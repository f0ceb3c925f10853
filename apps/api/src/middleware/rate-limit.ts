import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import { AppError } from '@rolegate/core';
import type { RateLimitRepository } from '@rolegate/db';
import type { Logger } from '../logger.js';

/** Hits an instance takes from the shared counter at once for a limit: 1/20 of it, between 1 and 50. */
export function leaseBlock(limit: number): number {
  return Math.min(50, Math.max(1, Math.floor(limit / 20)));
}

const MAX_LEASES = 10_000;

/**
 * express-rate-limit Store on Postgres: every instance counts into the same
 * row, so a client cannot multiply its budget by spreading requests over
 * replicas behind a load balancer. Fixed windows, atomic upserts.
 *
 * An instance takes hit numbers from the shared counter in blocks
 * (`leaseBlock` of the limit) and hands them out locally, so a busy client
 * costs one write per block rather than per request. Each number is given
 * out once across all instances, so no more than `limit` requests pass in a
 * window however many instances there are; numbers an instance took but did
 * not use count too, so with N instances a client may be refused up to
 * (N − 1) × block requests early. Small limits (under 40) use blocks of 1:
 * exact counting.
 */
export class PostgresRateLimitStore implements Store {
  /** Counts are shared: the same key on another instance is the same counter. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private block = 1;
  /** Numbers taken from the shared counter and not yet handed out, by key. */
  private readonly leases = new Map<string, { next: number; last: number; resetTime: Date }>();
  /**
   * The block being taken for a key, if any. Concurrent hits wait for it and
   * share it: otherwise a burst of N hits would take N blocks, wasting up to
   * (N − 1) × block of the client's budget on one instance.
   */
  private readonly refills = new Map<string, Promise<ClientRateLimitInfo>>();

  constructor(
    private readonly repo: RateLimitRepository,
    /** Keeps the counters of different limiters apart in the shared table. */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    if (typeof options.limit === 'number') this.block = leaseBlock(options.limit);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const c = await this.repo.get(this.prefix + key);
    return c ? { totalHits: c.hits, resetTime: c.resetAt } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    for (;;) {
      const lease = this.leases.get(key);
      if (lease && lease.next <= lease.last && lease.resetTime.getTime() > Date.now()) {
        return { totalHits: lease.next++, resetTime: lease.resetTime };
      }
      const pending = this.refills.get(key);
      if (!pending) break;
      await pending; // its failure (the database is down) is this hit's failure too
    }
    const refill = this.refill(key);
    if (this.block === 1) return refill;
    this.refills.set(key, refill);
    try {
      return await refill;
    } finally {
      if (this.refills.get(key) === refill) this.refills.delete(key);
    }
  }

  /** Takes a block from the shared counter, keeps all but its first number as the lease of `key`, and returns the first. */
  private async refill(key: string): Promise<ClientRateLimitInfo> {
    const c = await this.repo.increment(this.prefix + key, this.windowMs, this.block);
    const first = c.hits - this.block + 1;
    this.leases.delete(key);
    if (this.block > 1) {
      if (this.leases.size >= MAX_LEASES) this.leases.delete(this.leases.keys().next().value!);
      this.leases.set(key, { next: first + 1, last: c.hits, resetTime: c.resetAt });
    }
    return { totalHits: first, resetTime: c.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.repo.decrement(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    this.leases.delete(key);
    await this.repo.reset(this.prefix + key);
  }
}

/** Whole seconds until `resetTime` (at least 1), for `Retry-After`. */
export function retryAfterSeconds(resetTime: Date | undefined, now: number, windowMs: number): number {
  const ms = resetTime ? resetTime.getTime() - now : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The client address, IPv6 grouped by /56 so one host cannot rotate through its prefix. */
function clientKey(req: Request): string {
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/** The signed-in user when there is one (a user is one budget however many IPs they use). */
function userKey(req: Request): string {
  const userId = req.cliPrincipal?.userId ?? req.session?.principal?.userId;
  return userId ? `user:${userId}` : clientKey(req);
}

export interface RateLimitSettings {
  windowSeconds: number;
  signinPerIp: number;
  grantsPerUser: number;
}

/**
 * The rate limiters of the app. Over the limit → 429 `RATE_LIMITED` JSON with
 * `Retry-After`. A database failure refuses the request (fail closed: every
 * limited route needs the database anyway).
 */
export function createRateLimiters(deps: { repo: RateLimitRepository; settings: RateLimitSettings; log: Logger }) {
  const windowMs = deps.settings.windowSeconds * 1000;

  function limiter(name: string, limit: number, keyGenerator: (req: Request) => string): RequestHandler {
    return rateLimit({
      windowMs,
      limit,
      store: new PostgresRateLimitStore(deps.repo, `${name}:`),
      keyGenerator,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      passOnStoreError: false,
      logger: { error: (err, msg) => deps.log.error({ err }, msg ?? 'rate limiter'), warn: (err, msg) => deps.log.warn({ err }, msg ?? 'rate limiter') },
      handler: (req, res, next) => {
        const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
        res.set('Retry-After', String(retryAfterSeconds(info?.resetTime, Date.now(), windowMs)));
        next(new AppError('RATE_LIMITED', 'Too many requests; try again later'));
      },
    });
  }

  return {
    /** Sign-in endpoints (login, OIDC callback, SAML ACS), per client IP; `name` keeps each endpoint's count apart. */
    signin: (name: string) => limiter(`signin-${name}`, deps.settings.signinPerIp, clientKey),
    /** Grant issuing (POST /api/grants and the console deep link), per signed-in user. */
    grants: limiter('grants', deps.settings.grantsPerUser, userKey),
  };
}
