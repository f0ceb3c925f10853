import { describe, expect, it } from 'vitest';
import type { RoleMapping } from '@rolegate/core';
import { createCachedMappingSource } from './mappings.js';

function mapping(id: string, enabled = true, roleName = id): RoleMapping {
  return {
    id,
    group: 'engineers',
    accountId: '111111111111',
    accountName: 'sandbox',
    roleArn: `arn:aws:iam::111111111111:role/${roleName}`,
    maxDurationSeconds: 3600,
    requireReason: false,
    description: '',
    enabled,
  };
}

/** A change feed the test drives: live or not, and notifications on demand. */
function fakeFeed(live = false) {
  const subscribers = new Set<() => void>();
  return {
    live,
    isLive() {
      return this.live;
    },
    subscribe(fn: () => void) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    /** A notification (or a change of liveness): every subscriber hears it. */
    notify() {
      for (const fn of subscribers) fn();
    },
    setLive(value: boolean) {
      this.live = value;
      this.notify();
    },
  };
}

/** A mapping source over a mutable table that counts its calls; `fail` makes the next listAll reject. */
function fakeSource(rows: RoleMapping[]) {
  const calls = { findById: 0, listEnabled: 0, listAll: 0 };
  const state = { rows, fail: null as Error | null };
  const copy = () => state.rows.map((m) => ({ ...m }));
  return {
    calls,
    state,
    async findById(id: string) {
      calls.findById++;
      return copy().find((m) => m.id === id) ?? null;
    },
    async listEnabled() {
      calls.listEnabled++;
      return copy().filter((m) => m.enabled);
    },
    async listAll() {
      calls.listAll++;
      if (state.fail) {
        const err = state.fail;
        state.fail = null;
        throw err;
      }
      return copy();
    },
  };
}

describe('createCachedMappingSource', () => {
  it('reads through to the source while the feed is not live, and keeps no snapshot', async () => {
    const source = fakeSource([mapping('a'), mapping('b', false)]);
    const cache = createCachedMappingSource(source, fakeFeed(false));

    expect((await cache.findById('a'))?.id).toBe('a');
    expect((await cache.findById('a'))?.id).toBe('a');
    expect((await cache.listEnabled()).map((m) => m.id)).toEqual(['a']);
    expect(source.calls).toEqual({ findById: 2, listEnabled: 1, listAll: 0 });

    // A change is visible at once: nothing is remembered while deaf to notifications.
    source.state.rows = [mapping('a', false)];
    expect((await cache.findById('a'))?.enabled).toBe(false);
    expect(await cache.listEnabled()).toEqual([]);
  });

  it('serves findById and listEnabled from one listAll() load once the feed is live', async () => {
    const source = fakeSource([mapping('a'), mapping('b', false), mapping('c')]);
    const cache = createCachedMappingSource(source, fakeFeed(true));

    const [a, b, missing, enabled] = await Promise.all([cache.findById('a'), cache.findById('b'), cache.findById('nope'), cache.listEnabled()]);
    expect(a?.id).toBe('a');
    expect(b).toMatchObject({ id: 'b', enabled: false });
    expect(missing).toBeNull();
    expect(enabled.map((m) => m.id)).toEqual(['a', 'c']);
    expect(await cache.findById('c')).toMatchObject({ id: 'c' });
    expect(source.calls).toEqual({ findById: 0, listEnabled: 0, listAll: 1 });

    // A change the feed has not reported is not seen (the snapshot is what is served).
    source.state.rows = [];
    expect((await cache.findById('a'))?.id).toBe('a');
    expect(source.calls.listAll).toBe(1);
  });

  it('drops the snapshot on a notification: the next read loads the current table', async () => {
    const source = fakeSource([mapping('a')]);
    const feed = fakeFeed(true);
    const cache = createCachedMappingSource(source, feed);
    expect((await cache.findById('a'))?.enabled).toBe(true);

    source.state.rows = [mapping('a', false)];
    feed.notify();
    expect((await cache.findById('a'))?.enabled).toBe(false);
    expect(await cache.listEnabled()).toEqual([]);
    expect(source.calls.listAll).toBe(2);
  });

  it('drops the snapshot when the feed goes down, reads through while down, and reloads when it is back', async () => {
    const source = fakeSource([mapping('a')]);
    const feed = fakeFeed(true);
    const cache = createCachedMappingSource(source, feed);
    await cache.listEnabled();
    expect(source.calls.listAll).toBe(1);

    feed.setLive(false);
    source.state.rows = [mapping('a', false)];
    expect((await cache.findById('a'))?.enabled).toBe(false);
    expect(source.calls).toMatchObject({ findById: 1, listAll: 1 });

    // Changes made while deaf are unknown: going live again starts from a fresh load.
    source.state.rows = [mapping('a'), mapping('b')];
    feed.setLive(true);
    expect((await cache.listEnabled()).map((m) => m.id)).toEqual(['a', 'b']);
    expect(source.calls.listAll).toBe(2);
  });

  it('reloads a snapshot older than maxAgeMs even without a notification', async () => {
    let t = 1_000_000;
    const source = fakeSource([mapping('a')]);
    const cache = createCachedMappingSource(source, fakeFeed(true), { maxAgeMs: 1000, now: () => t });
    await cache.findById('a');

    source.state.rows = [mapping('a', false)];
    t += 1000;
    expect((await cache.findById('a'))?.enabled).toBe(true);
    expect(source.calls.listAll).toBe(1);

    t += 1;
    expect((await cache.findById('a'))?.enabled).toBe(false);
    expect(source.calls.listAll).toBe(2);
  });

  it('does not keep a failed load: the failure is the read’s rejection and the next read retries', async () => {
    const source = fakeSource([mapping('a')]);
    const cache = createCachedMappingSource(source, fakeFeed(true));
    const boom = new Error('database unavailable');
    source.state.fail = boom;

    await expect(cache.findById('a')).rejects.toBe(boom);
    expect(source.calls.listAll).toBe(1);
    expect((await cache.findById('a'))?.id).toBe('a');
    expect(source.calls.listAll).toBe(2);
    expect(source.calls.findById).toBe(0);

    source.state.fail = boom;
    cache.invalidate();
    await expect(cache.listEnabled()).rejects.toBe(boom);
    expect((await cache.listEnabled()).map((m) => m.id)).toEqual(['a']);
    expect(source.calls.listAll).toBe(4);
  });

  it('listEnabled returns only enabled mappings, in listAll’s order, as a copy of the snapshot', async () => {
    const rows = [mapping('z'), mapping('m', false), mapping('a'), mapping('q', false), mapping('b')];
    const source = fakeSource(rows);
    const cache = createCachedMappingSource(source, fakeFeed(true));

    const first = await cache.listEnabled();
    expect(first.map((m) => m.id)).toEqual(['z', 'a', 'b']);
    first.pop();
    expect((await cache.listEnabled()).map((m) => m.id)).toEqual(['z', 'a', 'b']);
    expect(source.calls.listAll).toBe(1);
  });

  it('returns frozen mappings: a caller cannot change what the next caller is served', async () => {
    const source = fakeSource([mapping('a')]);
    const cache = createCachedMappingSource(source, fakeFeed(true));

    const m = (await cache.findById('a'))!;
    const [listed] = await cache.listEnabled();
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(listed)).toBe(true);
    expect(() => {
      (m as { enabled: boolean }).enabled = false;
    }).toThrow(TypeError);
    expect((await cache.findById('a'))?.enabled).toBe(true);
  });

  it('does not keep a load that a notification overtook, and a stale failure does not drop the newer snapshot', async () => {
    // listAll calls that the test settles by hand, in any order.
    const pending: { resolve: (rows: RoleMapping[]) => void; reject: (err: Error) => void }[] = [];
    const source = {
      findById: async () => null,
      listEnabled: async () => [],
      listAll: () => new Promise<RoleMapping[]>((resolve, reject) => pending.push({ resolve, reject })),
    };
    const feed = fakeFeed(true);
    const cache = createCachedMappingSource(source, feed);

    const early = cache.findById('a');
    feed.notify(); // a change committed while the first load was running
    const late = cache.findById('a');
    expect(pending).toHaveLength(2);
    pending[1]!.resolve([mapping('a', false)]);
    pending[0]!.resolve([mapping('a')]);
    expect((await early)?.enabled).toBe(true);
    expect((await late)?.enabled).toBe(false);
    const next = cache.findById('a');
    expect(pending).toHaveLength(2); // served from the newer load, not a third one
    expect((await next)?.enabled).toBe(false);

    feed.notify();
    const failing = cache.findById('a');
    feed.notify();
    const fresh = cache.findById('a');
    expect(pending).toHaveLength(4);
    pending[3]!.resolve([mapping('a')]);
    pending[2]!.reject(new Error('connection lost'));
    await expect(failing).rejects.toThrow('connection lost');
    expect((await fresh)?.enabled).toBe(true);
    const after = cache.findById('a');
    expect(pending).toHaveLength(4);
    expect((await after)?.enabled).toBe(true);
  });

  it('invalidate() drops the snapshot (a local write is seen by the next read)', async () => {
    const source = fakeSource([mapping('a')]);
    const cache = createCachedMappingSource(source, fakeFeed(true));
    await cache.findById('a');

    source.state.rows = [mapping('a', false)];
    cache.invalidate();
    expect((await cache.findById('a'))?.enabled).toBe(false);
    expect(source.calls.listAll).toBe(2);
  });
});
