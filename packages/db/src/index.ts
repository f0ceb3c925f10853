export { createDatabase, type Database, type PrismaClient, type Tx } from './client.js';
export { createRepositories, type Repositories, type PoolStats } from './repositories.js';
export { applyMigrations, MIGRATIONS_DIR, type MigrationResult } from './migrate.js';
export { startEmbeddedPostgres, freePort, type EmbeddedPostgresHandle } from './embedded.js';
export { ensureLoginRoles, grantRuntimeMembership, runtimeRoleProblems, userOfUrl, RUNTIME_GROUP_ROLE, type LoginRole } from './roles.js';
export { isConnectionError, db } from './errors.js';
export { createGrantRepository, type GrantRepository } from './repositories/grants.js';
export {
  createMappingRepository,
  createCachedMappingSource,
  MAPPINGS_CHANNEL,
  type CachedMappingSource,
  type MappingRepository,
  type MappingInput,
} from './repositories/mappings.js';
export { createChangeFeed, type ChangeFeed, type ChangeFeedOptions } from './change-feed.js';
export { createUserRepository, type UserRepository, type SignedInIdentity } from './repositories/users.js';
export {
  createSessionRepository,
  createCachedSessionRepository,
  SESSIONS_CHANNEL,
  type SessionRepository,
  type SessionEntry,
} from './repositories/sessions.js';
export {
  createAdminMappingRepository,
  type AdminMappingRepository,
  type AdminMappingRecord,
  type AdminAccountRecord,
  type AppliedState,
} from './repositories/admin-mappings.js';
export {
  createAdminChangeRepository,
  recordAdminChange,
  MAPPINGS_FILE_ACTOR,
  type ChangeSource,
  type AdminChangeRepository,
  type AdminChangeRecord,
  type Actor,
} from './repositories/admin-changes.js';
export { createAdminUserRepository, type AdminUserRepository, type AdminUserRecord, type AdminCliTokenRecord } from './repositories/admin-users.js';
export { createAuditGrantRepository, auditWhere, auditWhereInline, EXPORT_CSV_SQL, type AuditGrantRepository } from './repositories/audit-grants.js';
export { createLoginTransactionRepository, type LoginTransactionRepository, type LoginTransaction } from './repositories/login-transactions.js';
export { createRateLimitRepository, type RateLimitRepository, type RateLimitCount } from './repositories/rate-limits.js';
export { createSamlRepository, type SamlRepository, type SamlRequestRecord } from './repositories/saml.js';
export { createCliTokenRepository, type CliTokenRepository, type CliTokenRecord, type NewCliToken } from './repositories/cli-tokens.js';
export {
  createCliLoginRepository,
  type CliLoginRepository,
  type CliLoginPrincipal,
  type ApprovedCliLogin,
  type PendingDeviceLogin,
  type DevicePoll,
} from './repositories/cli-logins.js';
export { createIdempotencyKeyRepository, type IdempotencyKeyRepository, type IdempotencyRecord } from './repositories/idempotency-keys.js';
export { createPreferencesRepository, type PreferencesRepository, type PreferencesRecord } from './repositories/preferences.js';
export {
  createScimRepository,
  type ScimRepository,
  type ScimActor,
  type ScimUserWrite,
  type ScimUserRow,
  type ScimGroupWrite,
  type ScimGroupRow,
  type ScimTokenRecord,
  type ScimChangeRecord,
  type ScimEqFilter,
  type ScimMembership,
} from './repositories/scim.js';
export {
  createRequestRepository,
  requestState,
  type RequestRepository,
  type AccessRequestRecord,
  type RequestEvent,
  type RequestEventType,
  type RequestChange,
  type RequestActorRef,
  type NewAccessRequest,
  type Announce,
} from './repositories/requests.js';
export {
  createOutboxRepository,
  insertOutbox,
  type OutboxRepository,
  type OutboxRecord,
  type OutboxMessage,
  type OutboxChannel,
} from './repositories/outbox.js';
export {
  createRevocationRepository,
  insertPersonRevocations,
  insertGrantRevocations,
  grantsOfWindow,
  type RevocationRepository,
  type RevocationRecord,
  type RevocationBatch,
  type RevocationKind,
  type RevocationState,
  type RevocationRequester,
  type RevocableGrant,
  type GrantValidity,
  type AccountPassOutcome,
  type Querier,
} from './repositories/revocations.js';
export {
  createMappingCheckRepository,
  type MappingCheckRepository,
  type MappingCheckRecord,
  type MappingCheckResult,
  type MappingCheckStatus,
} from './repositories/mapping-checks.js';
export { createSlackRepository, type SlackRepository, type KnownPerson } from './repositories/slack.js';
