import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { createChangeFeed, type ChangeFeed } from './change-feed.js';
import { PrismaClient } from './generated/prisma/client.js';

export type { PrismaClient };
export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface Database {
  prisma: PrismaClient;
  /** Durable writes (grants, audit, admin changes) and all reads. */
  pool: pg.Pool;
  /**
   * Connections with `synchronous_commit = off`, for state whose last few
   * hundred milliseconds may be lost in a server crash without harm:
   * rate-limit counters and session creation. Never for grants.
   */
  relaxedPool: pg.Pool;
  /**
   * A small pool of its own for audit exports (long COPY streams read at the
   * client's pace), so stalled downloads can never take the connections
   * grants and /readyz need.
   */
  exportPool: pg.Pool;
  /**
   * A LISTEN feed on `channel` over its own connection (closed with the
   * database). `onError` hears each connection failure; the feed reconnects.
   */
  changeFeed(channel: string, onError?: (err: Error) => void): ChangeFeed;
  /** True when a trivial query succeeds within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens a pool and a Prisma client on it. No global singletons: the app owns this. */
export function createDatabase(opts: {
  url: string;
  max?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Size of the export pool (default 4) and its statement timeout (default 5 min). */
  exportMax?: number;
  exportStatementTimeoutMs?: number;
}): Database {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 20,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
    statement_timeout: opts.statementTimeoutMs ?? 15000,
    // Client-side too: a frozen server (SIGSTOP, a hung disk) enforces no statement_timeout.
    query_timeout: (opts.statementTimeoutMs ?? 15000) + 2000,
    idleTimeoutMillis: 30000,
  });
  const relaxedPool = new pg.Pool({
    connectionString: opts.url,
    max: Math.max(2, Math.ceil((opts.max ?? 20) / 2)),
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
    statement_timeout: opts.statementTimeoutMs ?? 15000,
    query_timeout: (opts.statementTimeoutMs ?? 15000) + 2000,
    idleTimeoutMillis: 30000,
    options: '-c synchronous_commit=off',
  });
  const exportPool = new pg.Pool({
    connectionString: opts.url,
    max: opts.exportMax ?? 4,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
    statement_timeout: opts.exportStatementTimeoutMs ?? 300_000,
    idleTimeoutMillis: 10_000,
  });
  // An idle client losing its server must not crash the process.
  pool.on('error', () => {});
  relaxedPool.on('error', () => {});
  exportPool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const feeds: ChangeFeed[] = [];
  return {
    prisma,
    pool,
    relaxedPool,
    exportPool,
    changeFeed(channel, onError) {
      const feed = createChangeFeed({ url: opts.url, channel, ...(onError ? { onError } : {}) });
      feeds.push(feed);
      return feed;
    },
    async ping(timeoutMs = 1000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const q = pool.query('SELECT 1');
        const t = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('ping timeout')), timeoutMs);
        });
        await Promise.race([q, t]);
        return true;
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await Promise.all(feeds.map((f) => f.close()));
      await prisma.$disconnect();
      await pool.end().catch(() => {});
      await relaxedPool.end().catch(() => {});
      await exportPool.end().catch(() => {});
    },
  };
}
