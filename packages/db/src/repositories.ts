import type { Database } from './client.js';
import { createAdminChangeRepository } from './repositories/admin-changes.js';
import { createAdminMappingRepository } from './repositories/admin-mappings.js';
import { createAdminUserRepository } from './repositories/admin-users.js';
import { createAuditGrantRepository } from './repositories/audit-grants.js';
import { createCliLoginRepository } from './repositories/cli-logins.js';
import { createCliTokenRepository } from './repositories/cli-tokens.js';
import { createGrantRepository } from './repositories/grants.js';
import { createIdempotencyKeyRepository } from './repositories/idempotency-keys.js';
import { createLoginTransactionRepository } from './repositories/login-transactions.js';
import { createMappingRepository } from './repositories/mappings.js';
import { createMappingCheckRepository } from './repositories/mapping-checks.js';
import { createPreferencesRepository } from './repositories/preferences.js';
import { createRateLimitRepository } from './repositories/rate-limits.js';
import { createRequestRepository } from './repositories/requests.js';
import { createRevocationRepository } from './repositories/revocations.js';
import { createOutboxRepository } from './repositories/outbox.js';
import { createSamlRepository } from './repositories/saml.js';
import { createScimRepository } from './repositories/scim.js';
import { createSlackRepository } from './repositories/slack.js';
import { createSessionRepository } from './repositories/sessions.js';
import { createUserRepository } from './repositories/users.js';

/** Connection counts of the main pool, for the metrics gauges. */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/**
 * Every repository of Rolegate on one database, each on the pool its data
 * needs — decided here, once, so no caller can put a grant on the relaxed
 * pool or a rate-limit counter on two different ones:
 * - durable (`pool`, synchronous commit): grants, access requests, idempotency keys, mappings,
 *   admin changes, users, sign-in state, CLI tokens, preferences, SCIM;
 * - relaxed (`relaxedPool`, synchronous_commit off): rate-limit counters and
 *   session creation (losing the last few hundred ms in a crash harms nobody);
 * - export (`exportPool`, its own connections and statement timeout): audit
 *   exports, so stalled downloads never take the connections grants need.
 * The app receives this object and never a Prisma client or a pool.
 */
export function createRepositories(database: Database, opts: { exportStatementTimeoutMs?: number } = {}) {
  const { prisma, pool, relaxedPool, exportPool } = database;
  const mappingWriteListeners = new Set<() => void>();
  return {
    grants: createGrantRepository(pool),
    idempotencyKeys: createIdempotencyKeyRepository(pool),
    preferences: createPreferencesRepository(pool),
    requests: createRequestRepository(pool),
    outbox: createOutboxRepository(pool),
    slack: createSlackRepository(pool),
    revocations: createRevocationRepository(pool),
    mappings: createMappingRepository(database),
    mappingChecks: createMappingCheckRepository(pool),
    adminMappings: createAdminMappingRepository(prisma, { afterWrite: () => mappingWriteListeners.forEach((listener) => listener()) }),
    adminChanges: createAdminChangeRepository(prisma),
    adminUsers: createAdminUserRepository(prisma),
    users: createUserRepository(prisma),
    loginTransactions: createLoginTransactionRepository(prisma),
    saml: createSamlRepository(prisma),
    cliTokens: createCliTokenRepository(prisma),
    cliLogins: createCliLoginRepository(prisma),
    sessions: createSessionRepository(database),
    rateLimits: createRateLimitRepository(relaxedPool),
    scim: createScimRepository(pool),
    auditGrants: createAuditGrantRepository(pool, {
      pool: exportPool,
      ...(opts.exportStatementTimeoutMs !== undefined ? { statementTimeoutMs: opts.exportStatementTimeoutMs } : {}),
    }),
    /** Runs `listener` after each committed admin write to mappings (the acting instance drops its cache at once). */
    onMappingsWritten(listener: () => void): () => void {
      mappingWriteListeners.add(listener);
      return () => mappingWriteListeners.delete(listener);
    },
    /** A LISTEN feed on `channel` over its own connection; see Database.changeFeed. */
    changeFeed: (channel: string, onError?: (err: Error) => void) => database.changeFeed(channel, onError),
    /** True when a trivial query succeeds within the timeout (readiness). */
    ping: (timeoutMs?: number) => database.ping(timeoutMs),
    poolStats: {
      get totalCount() {
        return pool.totalCount;
      },
      get idleCount() {
        return pool.idleCount;
      },
      get waitingCount() {
        return pool.waitingCount;
      },
    } satisfies PoolStats,
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
