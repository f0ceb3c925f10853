import pg from 'pg';

export interface ChangeFeed {
  /**
   * True while the feed holds a working LISTEN connection. While it is false
   * a change may go unseen, so caches built on the feed must read through.
   */
  isLive(): boolean;
  /**
   * Calls `fn` with the payload of every notification, and with no argument
   * whenever the feed goes live or stops being live (anything may have changed).
   */
  subscribe(fn: (payload?: string) => void): () => void;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  url: string;
  channel: string;
  /**
   * A round trip on the LISTEN connection this often proves it still works
   * (a silently dead connection would otherwise look live and never deliver).
   */
  heartbeatMs?: number;
  /** A heartbeat slower than this counts as a dead connection. */
  heartbeatTimeoutMs?: number;
  /** Wait before reconnecting after a failure (doubles up to 10 s). */
  retryMs?: number;
  onError?: (err: Error) => void;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Postgres LISTEN on one channel over a dedicated connection, kept alive and
 * reconnected. Writers `NOTIFY` (in this schema: triggers), and NOTIFY is
 * delivered at commit, so a subscriber hears of every committed change while
 * the feed is live. Needs a session-level connection (not a transaction-mode
 * pooler); when LISTEN is impossible the feed simply never goes live.
 */
export function createChangeFeed(opts: ChangeFeedOptions): ChangeFeed {
  if (!CHANNEL.test(opts.channel)) throw new Error(`invalid channel name: ${opts.channel}`);
  // A silent (stalled, not closed) LISTEN connection is noticed within 2 s:
  // until then another instance's sign-out could go unseen here.
  const heartbeatMs = opts.heartbeatMs ?? 1000;
  const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 1000;
  const baseRetryMs = opts.retryMs ?? 500;
  const subscribers = new Set<(payload?: string) => void>();
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let retryMs = baseRetryMs;
  let heartbeat: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;

  const emit = (payload?: string) => {
    for (const fn of subscribers) fn(payload);
  };

  function setLive(value: boolean) {
    live = value;
    // Going live: changes made while we were deaf are unknown. Going down: stop trusting.
    emit();
  }

  function fail(c: pg.Client, err: Error) {
    if (client !== c) return;
    client = null;
    clearInterval(heartbeat);
    if (live) setLive(false);
    opts.onError?.(err);
    c.removeAllListeners('notification');
    c.on('error', () => {});
    void c.end().catch(() => {});
    if (closed) return;
    retry = setTimeout(() => void connect(), retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, 10_000);
  }

  async function connect() {
    if (closed) return;
    // Named so that operators (and tests) can tell the feed apart in pg_stat_activity.
    const c = new pg.Client({
      connectionString: opts.url,
      keepAlive: true,
      connectionTimeoutMillis: heartbeatTimeoutMs,
      application_name: `rolegate-feed:${opts.channel}`,
    });
    client = c;
    c.on('error', (err) => fail(c, err));
    c.on('end', () => fail(c, new Error('LISTEN connection ended')));
    c.on('notification', (msg) => {
      if (msg.channel === opts.channel && live) emit(msg.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${opts.channel}`);
    } catch (err) {
      fail(c, err as Error);
      return;
    }
    if (client !== c || closed) return;
    retryMs = baseRetryMs;
    setLive(true);
    heartbeat = setInterval(() => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('LISTEN connection heartbeat timed out')), heartbeatTimeoutMs);
      });
      Promise.race([c.query('SELECT 1'), timeout])
        .catch((err: unknown) => fail(c, err as Error))
        .finally(() => clearTimeout(timer));
    }, heartbeatMs);
    heartbeat.unref();
  }

  void connect();

  return {
    isLive: () => live,
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      live = false;
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
