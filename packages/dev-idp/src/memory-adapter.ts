import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider storage in this process's memory: the demo IdP's codes,
 * tokens, sessions and interactions are gone with it, on purpose. Passing an
 * adapter (rather than relying on the library's default) also keeps
 * oidc-provider from warning at every `npm start` that it defaulted to one.
 */
export function createMemoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, Entry>();
  const live = (key: string): AdapterPayload | undefined => {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return e.payload;
  };
  const idOf = (model: string, predicate: (p: AdapterPayload) => boolean): AdapterPayload | undefined => {
    for (const key of store.keys()) {
      if (!key.startsWith(`${model}:`)) continue;
      const p = live(key);
      if (p && predicate(p)) return p;
    }
    return undefined;
  };
  return (model) => ({
    upsert: async (id, payload, expiresIn) => {
      store.set(`${model}:${id}`, { payload, expiresAt: expiresIn === undefined ? Infinity : Date.now() + expiresIn * 1000 });
    },
    find: async (id) => live(`${model}:${id}`),
    findByUid: async (uid) => idOf(model, (p) => p.uid === uid),
    findByUserCode: async (userCode) => idOf(model, (p) => p.userCode === userCode),
    consume: async (id) => {
      const p = live(`${model}:${id}`);
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      store.delete(`${model}:${id}`);
    },
    // Every model shares the store: revoking a grant drops its codes and tokens too.
    revokeByGrantId: async (grantId) => {
      for (const [key, e] of store) if (e.payload.grantId === grantId) store.delete(key);
    },
  });
}
