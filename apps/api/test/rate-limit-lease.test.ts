import type { Options } from 'express-rate-limit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRateLimitRepository, type RateLimitRepository } from '@rolegate/db';
import { leaseBlock, PostgresRateLimitStore } from '../src/middleware/rate-limit.js';
import type { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

// An instance takes hit numbers from the shared Postgres counter in blocks and
// hands them out locally. These tests check that no number is ever handed out
// twice (across instances too), so no more than `limit` requests pass, and that
// the counter is written once per block.
const GRANT_LIMIT = 40; // leaseBlock(40) = 2

let stack: Stack;
let second: Awaited<ReturnType<Stack['startInstance']>>;
let alice: TestBrowser;
let developerId: string;

beforeAll(async () => {
  stack = await startStack({ env: { RATE_LIMIT_GRANTS: String(GRANT_LIMIT) } });
  second = await stack.startInstance();
  alice = await stack.signIn('alice');
  developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
});
afterAll(async () => {
  await stack?.close();
});

/** The repository on `pool`, recording the `by` of every increment (one entry = one write of the counter). */
function countingRepo(pool: pg.Pool, opts: { failNext?: boolean } = {}) {
  const repo = createRateLimitRepository(pool);
  const writes: number[] = [];
  const state = { failNext: opts.failNext ?? false };
  const counted: RateLimitRepository = {
    ...repo,
    increment: (key, windowMs, by) => {
      writes.push(by ?? 1);
      if (state.failNext) {
        state.failNext = false;
        return Promise.reject(new Error('connection lost'));
      }
      return repo.increment(key, windowMs, by);
    },
  };
  return { repo: counted, writes, state };
}

/** A store as express-rate-limit sets it up for `limit` requests per minute. */
function storeOn(repo: RateLimitRepository, limit: number, prefix = 'lease:') {
  const store = new PostgresRateLimitStore(repo, prefix);
  store.init({ windowMs: 60_000, limit } as Options);
  return store;
}

const hitsOf = async (key: string) => (await stack.sql.query(`SELECT hits FROM rate_limit_hits WHERE key = $1`, [key])).rows[0]?.hits as number | undefined;
const numbers = (infos: { totalHits: number }[]) => infos.map((i) => i.totalHits).sort((x, y) => x - y);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('leaseBlock', () => {
  it('is 1/20 of the limit, at least 1 and at most 50', () => {
    expect(leaseBlock(0)).toBe(1);
    expect(leaseBlock(1)).toBe(1);
    expect(leaseBlock(19)).toBe(1);
    expect(leaseBlock(39)).toBe(1);
    expect(leaseBlock(40)).toBe(2);
    expect(leaseBlock(120)).toBe(6);
    expect(leaseBlock(999)).toBe(49);
    expect(leaseBlock(1000)).toBe(50);
    expect(leaseBlock(10_000)).toBe(50);
  });
});

describe('PostgresRateLimitStore leases', () => {
  it('writes the counter once per block, not per hit, and hands out 1, 2, 3, … in order', async () => {
    const { repo, writes } = countingRepo(stack.sql);
    const store = storeOn(repo, 200); // block 10
    const got: number[] = [];
    for (let i = 0; i < 25; i++) got.push((await store.increment('seq')).totalHits);
    expect(got).toEqual(range(1, 25));
    expect(writes).toEqual([10, 10, 10]);
    expect(await hitsOf('lease:seq')).toBe(30);
  });

  it('limits below 40 count every hit in the database (blocks of 1)', async () => {
    const { repo, writes } = countingRepo(stack.sql);
    const store = storeOn(repo, 39);
    for (let i = 1; i <= 5; i++) expect((await store.increment('exact')).totalHits).toBe(i);
    expect(writes).toEqual([1, 1, 1, 1, 1]);
    expect(await hitsOf('lease:exact')).toBe(5);
  });

  it('two instances hitting one key at once never hand out the same number', async () => {
    const a = countingRepo(stack.sql);
    const b = countingRepo(stack.database.relaxedPool);
    const s1 = storeOn(a.repo, 200); // block 10
    const s2 = storeOn(b.repo, 200);
    const hits = await Promise.all(range(1, 60).map((i) => (i % 2 ? s1 : s2).increment('shared')));
    const got = numbers(hits);
    expect(new Set(got).size).toBe(60);
    // Each instance used up exactly its three blocks: 1…60, every number once.
    expect(got).toEqual(range(1, 60));
    expect(a.writes).toEqual([10, 10, 10]);
    expect(b.writes).toEqual([10, 10, 10]);
    expect(await hitsOf('lease:shared')).toBe(60);
    // One fixed window for everyone.
    expect(new Set(hits.map((h) => h.resetTime!.getTime())).size).toBe(1);
  });

  it('no more than `limit` hits pass however the two instances interleave, and at most one block per other instance is lost', async () => {
    const limit = 200; // block 10
    const s1 = storeOn(createRateLimitRepository(stack.sql), limit);
    const s2 = storeOn(createRateLimitRepository(stack.database.relaxedPool), limit);
    // Uneven bursts: 150 at the first instance, 100 at the second.
    const hits = await Promise.all([...range(1, 150).map(() => s1.increment('burst')), ...range(1, 100).map(() => s2.increment('burst'))]);
    const got = numbers(hits);
    expect(new Set(got).size).toBe(250);
    const passed = got.filter((n) => n <= limit).length; // what express-rate-limit lets through
    expect(passed).toBeLessThanOrEqual(limit);
    expect(passed).toBeGreaterThanOrEqual(limit - leaseBlock(limit));
  });

  it('a hit that waited for another hit’s block fails with it, and the next hit takes a block again', async () => {
    const { repo, writes, state } = countingRepo(stack.sql, { failNext: true });
    const store = storeOn(repo, 200);
    const results = await Promise.allSettled([store.increment('flaky'), store.increment('flaky')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(writes).toEqual([10]);
    expect(state.failNext).toBe(false);
    expect(await hitsOf('lease:flaky')).toBeUndefined();
    expect((await store.increment('flaky')).totalHits).toBe(1);
    expect((await store.increment('flaky')).totalHits).toBe(2);
    expect(writes).toEqual([10, 10]);
  });

  it('an ended window makes the store take a fresh block starting at 1', async () => {
    const { repo, writes } = countingRepo(stack.sql);
    const store = storeOn(repo, 200);
    for (let i = 1; i <= 10; i++) expect((await store.increment('window')).totalHits).toBe(i);
    await stack.sql.query(`UPDATE rate_limit_hits SET reset_at = now() - interval '1 second' WHERE key = 'lease:window'`);
    const fresh = await store.increment('window');
    expect(fresh.totalHits).toBe(1);
    expect(fresh.resetTime!.getTime()).toBeGreaterThan(Date.now());
    expect(writes).toEqual([10, 10]);
    expect(await hitsOf('lease:window')).toBe(10);
  });

  it('does not hand out the rest of a block once its window has ended on the local clock', async () => {
    const { repo, writes } = countingRepo(stack.sql);
    const store = storeOn(repo, 200);
    const first = await store.increment('stale');
    expect(first.totalHits).toBe(1);
    await stack.sql.query(`UPDATE rate_limit_hits SET reset_at = now() - interval '1 second' WHERE key = 'lease:stale'`);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(first.resetTime!.getTime() + 1);
      expect((await store.increment('stale')).totalHits).toBe(1);
    } finally {
      vi.useRealTimers();
    }
    expect(writes).toEqual([10, 10]);
  });

  it('resetKey forgets the local lease as well as the counter', async () => {
    const { repo, writes } = countingRepo(stack.sql);
    const store = storeOn(repo, 200);
    for (let i = 1; i <= 3; i++) expect((await store.increment('reset')).totalHits).toBe(i);
    await store.resetKey('reset');
    expect(await hitsOf('lease:reset')).toBeUndefined();
    expect((await store.increment('reset')).totalHits).toBe(1);
    expect(writes).toEqual([10, 10]);
  });

  it('keeps the leases of different keys apart', async () => {
    const store = storeOn(createRateLimitRepository(stack.sql), 200);
    expect((await store.increment('k1')).totalHits).toBe(1);
    expect((await store.increment('k2')).totalHits).toBe(1);
    expect((await store.increment('k1')).totalHits).toBe(2);
    expect(await hitsOf('lease:k1')).toBe(10);
    expect(await hitsOf('lease:k2')).toBe(10);
  });
});

describe('grant limit over HTTP on two instances (RATE_LIMIT_GRANTS=40, blocks of 2)', () => {
  it('lets exactly 40 grants through, refuses the rest with 429 RATE_LIMITED, and issues nothing for them', async () => {
    const onSecond = second.browser();
    onSecond.jar.store(alice.jar.header()!.split('; '));
    onSecond.csrfToken = alice.csrfToken;
    const calls = stack.aws.countCalls('AssumeRole');
    const rows = (await stack.grantRows(`user_email = 'alice@example.com'`)).length;

    const statuses: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < GRANT_LIMIT + 4; i++) {
      const res = await (i % 2 ? onSecond : alice).post('/api/grants', { entitlementId: developerId, kind: 'cli' });
      statuses.push(res.status);
      if (res.status !== 201) codes.push(res.json().error.code);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(GRANT_LIMIT);
    expect(statuses.slice(GRANT_LIMIT)).toEqual([429, 429, 429, 429]);
    expect(codes).toEqual(Array(4).fill('RATE_LIMITED'));
    expect(stack.aws.countCalls('AssumeRole')).toBe(calls + GRANT_LIMIT);
    expect(await stack.grantRows(`user_email = 'alice@example.com'`)).toHaveLength(rows + GRANT_LIMIT);
    // Every number taken from the shared counter was handed out (blocks of 2, alternating instances).
    const counter = await stack.sql.query(`SELECT hits FROM rate_limit_hits WHERE key LIKE 'grants:user:%'`);
    expect(counter.rows).toEqual([{ hits: GRANT_LIMIT + 4 }]);
  });
});
