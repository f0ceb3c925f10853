export { createDatabase, type Database, type PrismaClient, type Tx } from './client.js';
export { applyMigrations, MIGRATIONS_DIR, type MigrationResult } from './migrate.js';
export { startEmbeddedPostgres, freePort, type EmbeddedPostgresHandle } from './embedded.js';
export { isConnectionError, db } from './errors.js';
export { createGrantRepository, type GrantRepository, type GrantPage } from './repositories/grants.js';
export { createMappingRepository, type MappingRepository, type MappingInput } from './repositories/mappings.js';
export { createUserRepository, type UserRepository, type SignedInIdentity } from './repositories/users.js';
export { createSessionRepository, type SessionRepository } from './repositories/sessions.js';
export {
  createLoginTransactionRepository,
  type LoginTransactionRepository,
  type LoginTransaction,
} from './repositories/login-transactions.js';
