import { describe, expect, it } from 'vitest';
import { createCachedSessionRepository, type SessionEntry, type SessionRepository } from './sessions.js';

const HOUR = 3_600_000;

/** A change feed the test drives: live or not, and notifications (payload or none) on demand. */
function fakeFeed(live = true) {
  const subscribers = new Set<(payload?: string) => void>();
  return {
    live,
    isLive() {
      return this.live;
    },
    subscribe(fn: (payload?: string) => void) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    /** A notification with `payload`, or (no argument) "anything may have changed". */
    notify(...payload: [] | [string]) {
      for (const fn of subscribers) fn(...payload);
    },
  };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A session table in memory that counts calls. `hold` makes the next get wait
 * for the test to release it; `failWrites` makes set/destroy reject
 * (after changing the row, like a write whose acknowledgement was lost).
 */
function fakeRepo() {
  const rows = new Map<string, SessionEntry>();
  const calls = { get: 0, set: 0, destroy: 0 };
  const state = { hold: null as ReturnType<typeof deferred<void>> | null, failWrites: false };
  const copy = (e: SessionEntry): SessionEntry => ({ data: structuredClone(e.data), expiresAt: new Date(e.expiresAt) });
  const written = (): Promise<undefined> => (state.failWrites ? Promise.reject(new Error('connection lost')) : Promise.resolve(undefined));
  const repo: SessionRepository = {
    async get(id) {
      calls.get++;
      const gate = state.hold;
      state.hold = null;
      // Read first, answer later: a change made while the answer travels is not in it.
      const row = rows.get(id);
      const answer = row ? copy(row) : null;
      if (gate) await gate.promise;
      return answer;
    },
    set(id, data, expiresAt) {
      calls.set++;
      rows.set(id, { data: structuredClone(data), expiresAt });
      return written();
    },
    destroy(id) {
      calls.destroy++;
      rows.delete(id);
      return written();
    },
    purgeExpired: () => Promise.resolve(0),
  };
  return { repo, rows, calls, state };
}

/** A repo with sessions `ids` valid for an hour after `t`. */
function seeded(ids: string[], t = 0) {
  const f = fakeRepo();
  for (const id of ids) f.rows.set(id, { data: { principal: { userId: `u-${id}` } }, expiresAt: new Date(t + HOUR) });
  return f;
}

describe('createCachedSessionRepository', () => {
  it('reads through while the feed is not live, and keeps nothing', async () => {
    const f = seeded(['a']);
    const feed = fakeFeed(false);
    const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
    expect((await cache.get('a'))?.data).toEqual({ principal: { userId: 'u-a' } });
    expect((await cache.get('a'))?.data).toEqual({ principal: { userId: 'u-a' } });
    expect(f.calls.get).toBe(2);

    // Nothing read while deaf is served once the feed is live: the first live read goes to the table.
    feed.live = true;
    f.rows.delete('a');
    expect(await cache.get('a')).toBeNull();
    expect(f.calls.get).toBe(3);
  });

  it('serves a session from memory after the first read while the feed is live', async () => {
    const f = seeded(['a', 'b']);
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => 0 });
    const first = await cache.get('a');
    const second = await cache.get('a');
    expect(second).toEqual(first);
    expect(second).toEqual({ data: { principal: { userId: 'u-a' } }, expiresAt: new Date(HOUR) });
    expect(f.calls.get).toBe(1);
    await cache.get('b');
    await cache.get('b');
    expect(f.calls.get).toBe(2);
  });

  it('does not remember a missing session (a later sign-in is seen)', async () => {
    const f = seeded([]);
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => 0 });
    expect(await cache.get('a')).toBeNull();
    f.rows.set('a', { data: { n: 1 }, expiresAt: new Date(HOUR) });
    expect((await cache.get('a'))?.data).toEqual({ n: 1 });
    expect(f.calls.get).toBe(2);
  });

  it('stops serving a session from memory when the feed goes down', async () => {
    const f = seeded(['a']);
    const feed = fakeFeed(true);
    const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
    await cache.get('a');
    // Down without a word (the subscriber is not called): isLive alone must stop the cache.
    feed.live = false;
    f.rows.delete('a');
    expect(await cache.get('a')).toBeNull();
    expect(f.calls.get).toBe(2);
  });

  it('drops the ids a notification names, and only those', async () => {
    const f = seeded(['a', 'b', 'c']);
    const feed = fakeFeed(true);
    const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
    for (const id of ['a', 'b', 'c']) await cache.get(id);
    expect(f.calls.get).toBe(3);

    f.rows.delete('a');
    f.rows.delete('c');
    feed.notify('a,c');
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('c')).toBeNull();
    expect((await cache.get('b'))?.data).toEqual({ principal: { userId: 'u-b' } });
    expect(f.calls.get).toBe(5);

    f.rows.set('b', { data: { changed: true }, expiresAt: new Date(HOUR) });
    feed.notify('b');
    expect((await cache.get('b'))?.data).toEqual({ changed: true });
    expect(f.calls.get).toBe(6);
  });

  it.each([
    ["'*'", ['*'] as [string]],
    ['no argument', [] as []],
  ])('drops every entry on a notification with %s', async (_name, payload) => {
    const f = seeded(['a', 'b']);
    const feed = fakeFeed(true);
    const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
    await cache.get('a');
    await cache.get('b');
    f.rows.clear();
    feed.notify(...payload);
    expect(await cache.get('a')).toBeNull();
    expect(await cache.get('b')).toBeNull();
    expect(f.calls.get).toBe(4);
  });

  it.each(['set', 'destroy'] as const)('a local %s drops the entry, even when the write fails', async (op) => {
    for (const failWrites of [false, true]) {
      const f = seeded(['a', 'b']);
      const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => 0 });
      await cache.get('a');
      await cache.get('b');
      f.state.failWrites = failWrites;
      const write = op === 'set' ? cache.set('a', { changed: true }, new Date(HOUR), null) : cache.destroy('a');
      if (failWrites) await expect(write).rejects.toThrow('connection lost');
      else await write;
      expect(f.calls[op]).toBe(1);

      const after = await cache.get('a');
      expect(f.calls.get, `${op}, failWrites=${failWrites}`).toBe(3);
      expect(after).toEqual(f.rows.get('a') ?? null);
      // Another session is not disturbed by the write.
      await cache.get('b');
      expect(f.calls.get).toBe(3);
    }
  });

  it('does not cache a read that was in flight when a change was heard', async () => {
    const f = seeded(['a']);
    const feed = fakeFeed(true);
    const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
    const gate = deferred<void>();
    f.state.hold = gate;
    const inFlight = cache.get('a'); // reads the row, its answer still on the way
    f.rows.delete('a'); // signed out elsewhere…
    feed.notify('a'); // …and the notification overtakes the answer
    gate.resolve();
    expect((await inFlight)?.data).toEqual({ principal: { userId: 'u-a' } }); // the old answer, once
    expect(await cache.get('a')).toBeNull(); // but it was not kept
    expect(f.calls.get).toBe(2);
  });

  it('does not cache a read that was in flight when the feed dropped everything or another session changed', async () => {
    for (const payload of [[], ['*'], ['other']] as ([] | [string])[]) {
      const f = seeded(['a']);
      const feed = fakeFeed(true);
      const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
      const gate = deferred<void>();
      f.state.hold = gate;
      const inFlight = cache.get('a');
      feed.notify(...payload);
      gate.resolve();
      await inFlight;
      await cache.get('a');
      expect(f.calls.get, JSON.stringify(payload)).toBe(2);
    }
  });

  it('does not cache a read that was in flight during a local write of the session', async () => {
    const f = seeded(['a']);
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => 0 });
    const gate = deferred<void>();
    f.state.hold = gate;
    const inFlight = cache.get('a');
    await cache.destroy('a');
    gate.resolve();
    expect(await inFlight).not.toBeNull();
    expect(await cache.get('a')).toBeNull();
    expect(f.calls.get).toBe(2);
  });

  it('does not cache a read begun while the feed was down that ends after it came back', async () => {
    const f = seeded(['a']);
    const feed = fakeFeed(false);
    const cache = createCachedSessionRepository(f.repo, feed, { now: () => 0 });
    const gate = deferred<void>();
    f.state.hold = gate;
    const inFlight = cache.get('a');
    f.rows.delete('a'); // deleted while nobody listened
    feed.live = true;
    feed.notify(); // going live: anything may have changed
    gate.resolve();
    await inFlight;
    expect(await cache.get('a')).toBeNull();
    expect(f.calls.get).toBe(2);
  });

  it('never serves a session past its expiry', async () => {
    let t = 0;
    const f = fakeRepo();
    f.rows.set('a', { data: { n: 1 }, expiresAt: new Date(1000) });
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => t, maxAgeMs: HOUR });
    await cache.get('a');
    t = 999;
    expect((await cache.get('a'))?.data).toEqual({ n: 1 });
    expect(f.calls.get).toBe(1);
    t = 1000;
    // The fake table does not filter by time, so the read-through is visible as a call.
    f.rows.delete('a');
    expect(await cache.get('a')).toBeNull();
    expect(f.calls.get).toBe(2);
  });

  it('re-reads an entry older than maxAgeMs without any notification', async () => {
    let t = 0;
    const f = seeded(['a']);
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => t, maxAgeMs: 5000 });
    await cache.get('a');
    t = 5000;
    await cache.get('a');
    expect(f.calls.get).toBe(1);
    t = 5001;
    f.rows.set('a', { data: { changed: true }, expiresAt: new Date(HOUR) });
    expect((await cache.get('a'))?.data).toEqual({ changed: true });
    expect(f.calls.get).toBe(2);
    // Re-read at 5001: fresh again until 10001.
    t = 10_001;
    await cache.get('a');
    expect(f.calls.get).toBe(2);
  });

  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const f = seeded(['a', 'b', 'c', 'd']);
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => 0, maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) await cache.get(id);
    expect(f.calls.get).toBe(3);
    await cache.get('d'); // evicts a
    expect(f.calls.get).toBe(4);
    for (const id of ['b', 'c', 'd']) await cache.get(id);
    expect(f.calls.get).toBe(4);
    await cache.get('a'); // a is read again (and evicts b)
    expect(f.calls.get).toBe(5);
    for (const id of ['c', 'd', 'a']) await cache.get(id);
    expect(f.calls.get).toBe(5);
    await cache.get('b');
    expect(f.calls.get).toBe(6);
  });

  it('returns a fresh copy on every read: changing one does not change the next', async () => {
    const f = fakeRepo();
    f.rows.set('a', { data: { principal: { userId: 'u1', groups: ['engineers'] } }, expiresAt: new Date(HOUR) });
    const cache = createCachedSessionRepository(f.repo, fakeFeed(true), { now: () => 0 });

    const first = (await cache.get('a'))!; // the read-through
    (first.data.principal as { groups: string[] }).groups.push('platform-admins');
    first.data.extra = true;
    first.expiresAt.setTime(10 * HOUR);

    const second = (await cache.get('a'))!; // from memory
    expect(second).toEqual({ data: { principal: { userId: 'u1', groups: ['engineers'] } }, expiresAt: new Date(HOUR) });
    (second.data.principal as { userId: string }).userId = 'u2';
    second.expiresAt.setTime(10 * HOUR);

    const third = (await cache.get('a'))!;
    expect(third).toEqual({ data: { principal: { userId: 'u1', groups: ['engineers'] } }, expiresAt: new Date(HOUR) });
    expect(third).not.toBe(second);
    expect(third.data).not.toBe(second.data);
    expect(f.calls.get).toBe(1);
  });
});
