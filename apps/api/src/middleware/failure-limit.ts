/**
 * Counts failures per key in memory, per instance, in fixed windows — for
 * checks that must refuse *before* any database work: a guesser of bearer
 * tokens is stopped without costing a token lookup (or a shared counter
 * write) per guess. Bounded: at most `maxKeys` keys are kept; when full,
 * ended windows are dropped first, then the oldest keys.
 */
export function createFailureLimiter(opts: { limit: number; windowMs: number; maxKeys?: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const windows = new Map<string, { failures: number; resetAt: number }>();

  function current(key: string): { failures: number; resetAt: number } | undefined {
    const w = windows.get(key);
    if (w && w.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  return {
    /** Milliseconds until `key` may try again, or 0 when it is not blocked. */
    blockedFor(key: string): number {
      const w = current(key);
      return w && w.failures >= opts.limit ? w.resetAt - now() : 0;
    },
    /** Records one failure of `key`. */
    fail(key: string): void {
      const w = current(key);
      if (w) {
        w.failures++;
        return;
      }
      if (windows.size >= maxKeys) {
        const t = now();
        for (const [k, v] of windows) if (v.resetAt <= t) windows.delete(k);
        while (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
      }
      windows.set(key, { failures: 1, resetAt: now() + opts.windowMs });
    },
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
